/**
 * `edgeflow export` and `edgeflow import` against a real `wrangler dev`: the CLI commands, run
 * in this process, reach edgeflow over HTTP (MCP at /mcp with a tenant key). A package exported
 * from one tenant imports into another, exporting it again gives the same file, the YAML comes back
 * byte for byte, and a tampered file is refused with its code and publishes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../../cli/commands/command-io.ts";
import { exportCommand } from "../../cli/commands/export.ts";
import { importCommand } from "../../cli/commands/import.ts";
import { createTenantClient, type EdgeflowClient } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const V1 = `# moved between tenants by the CLI
name: "e2e:moved"
version: "1.0.0"
description:   "Says hello"
steps:
  - id: "hello"
    type: "user_message"
    message: "hello"
`;
const V2 = V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace(
  'message: "hello"',
  'message: "hello again"',
);

let server: DevServer;
let source: EdgeflowClient;
let target: EdgeflowClient;
let dir: string;

function capture(): CommandIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

const envOf = (client: EdgeflowClient) => ({ EDGEFLOW_URL: client.baseUrl, EDGEFLOW_KEY: client.apiKey });

beforeAll(async () => {
  server = await startWranglerDev();
  source = await createTenantClient(server.baseUrl, server.adminToken, "e2e-export-a");
  target = await createTenantClient(server.baseUrl, server.adminToken, "e2e-export-b");
  for (const yaml of [V1, V2]) await source.tool("workflow_publish", { yaml });
  dir = mkdtempSync(join(tmpdir(), "edgeflow-export-"));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

describe("edgeflow export / import over HTTP", () => {
  it("exports a package, imports it into another tenant, and exports the same package there", async () => {
    const first = join(dir, "a.json");
    const io = capture();
    expect(await exportCommand(["e2e:moved", "--format", "package", "--out", first], io, envOf(source))).toBe(
      0,
    );
    const imported = capture();
    expect(await importCommand([first], imported, envOf(target)), imported.errors.join("\n")).toBe(0);
    expect(imported.lines).toEqual([
      "e2e:moved@1.0.0: published",
      "e2e:moved@2.0.0: published",
      "unsigned package (checksums verified)",
    ]);
    const second = join(dir, "b.json");
    expect(
      await exportCommand(["e2e:moved", "--format=package", `--out=${second}`], capture(), envOf(target)),
    ).toBe(0);
    expect(readFileSync(second, "utf8")).toBe(readFileSync(first, "utf8"));
  });

  it("writes the YAML exactly as published and the definition as JSON", async () => {
    const yamlFile = join(dir, "v1.yaml");
    expect(
      await exportCommand(["e2e:moved", "--version", "1.0.0", "--out", yamlFile], capture(), envOf(target)),
    ).toBe(0);
    expect(readFileSync(yamlFile, "utf8")).toBe(V1);
    const io = capture();
    expect(await exportCommand(["e2e:moved", "--format", "json"], io, envOf(source))).toBe(0);
    expect(JSON.parse(io.lines.join("\n"))).toMatchObject({ name: "e2e:moved", version: "2.0.0" });
  });

  it("refuses a tampered package with its code, and an unknown workflow", async () => {
    const original = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as {
      versions: { yaml: string }[];
    };
    original.versions[0]!.yaml = original.versions[0]!.yaml.replace("hello", "HELLO");
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(original));
    const fresh = await createTenantClient(server.baseUrl, server.adminToken, "e2e-export-c");
    const io = capture();
    expect(await importCommand([tampered], io, envOf(fresh))).toBe(1);
    expect(io.errors.join("\n")).toContain("package.checksum_mismatch");
    expect(((await fresh.tool("workflow_list")) as { count: number }).count).toBe(0);
    const missing = capture();
    expect(await exportCommand(["e2e:nope"], missing, envOf(source))).toBe(1);
    expect(missing.errors.join("\n")).toContain("workflow.not_found");
  });

  it("answers a usage error with exit 2", async () => {
    expect(await exportCommand([], capture(), envOf(source))).toBe(2);
    expect(await exportCommand(["x", "--format", "zip"], capture(), envOf(source))).toBe(2);
    expect(await importCommand(["a", "b"], capture(), envOf(source))).toBe(2);
    expect(await importCommand(["a.json"], capture(), {})).toBe(2);
  });
});
