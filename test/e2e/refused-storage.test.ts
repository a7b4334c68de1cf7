/**
 * Issue 9, class 6, on disk under a real `wrangler dev`: the SQLite files in the persistence
 * directory are listed before and after 20 forged API keys, 20 webhooks to made-up tenants,
 * 20 MCP calls with a valid key on made-up run ids and 20 admin calls with wrong tokens. Every
 * one is refused, and not one file appears (locally, merely reaching a Durable Object creates its
 * database file). A legitimate first use (tenant, publish, run start) then adds its files.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolCaller } from "../support/mcp-call.ts";
import { createTenantClient, type EdgeflowClient } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const PROBES = 20;

const GREET = `name: "e2e:greet"
description: "Waits for the agent"
version: "1.0.0"
steps:
  - id: "ask"
    type: "user_input"
    prompt: "Name?"
`;

let server: DevServer;
let client: EdgeflowClient;

beforeAll(async () => {
  server = await startWranglerDev();
  client = await createTenantClient(server.baseUrl, server.adminToken, "e2e-storage");
  await client.tool("workflow_publish", { yaml: GREET });
  await client.tool("workflow_start", { workflow: "e2e:greet" });
});

afterAll(async () => {
  await server?.stop();
});

/** Every SQLite database file wrangler keeps (Durable Objects, KV, R2, ...), by path. */
function sqliteFiles(): string[] {
  return readdirSync(server.persistDir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".sqlite"))
    .sort();
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

describe("refused requests under wrangler dev", () => {
  it("write no SQLite file", async () => {
    const before = sqliteFiles();
    const objects = (kind: string) =>
      before.filter((path) => path.includes(kind) && !path.endsWith("metadata.sqlite")).length;
    expect({ tenants: objects("TenantDO"), runs: objects("RunDO") }).toEqual({ tenants: 1, runs: 1 });
    const statuses: number[] = [];
    const codes: string[] = [];
    const post = (path: string, headers: Record<string, string>, body: string) =>
      fetch(`${server.baseUrl}${path}`, { method: "POST", headers, body });
    for (let index = 0; index < PROBES; index += 1) {
      const forged = `efk_ghost-${index}-${hex(4)}_${hex(8)}_${"A".repeat(43)}`;
      const mcp = await post(
        "/mcp",
        {
          authorization: `Bearer ${forged}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      );
      statuses.push(mcp.status);
      const hook = await post(
        `/hooks/ghost-${index}-${hex(4)}/github`,
        { "content-type": "application/json", "x-hub-signature-256": `sha256=${hex(32)}` },
        "{}",
      );
      statuses.push(hook.status);
      const admin = await fetch(`${server.baseUrl}/admin/tenants/ghost-${index}`, {
        headers: { authorization: `Bearer ${hex(24)}` },
      });
      statuses.push(admin.status);
      const probe = await toolCaller(server.baseUrl, client.apiKey)("workflow_get_status", {
        workflow_id: `wf_${hex(12)}`,
      });
      codes.push(String((probe.value.error as { code?: string } | undefined)?.code));
    }
    expect(new Set(statuses)).toEqual(new Set([401, 404]));
    expect(new Set(codes)).toEqual(new Set(["run.not_found"]));
    expect(sqliteFiles()).toEqual(before);
  });

  it("a legitimate first use adds its own files", async () => {
    const before = sqliteFiles();
    const second = await createTenantClient(server.baseUrl, server.adminToken, "e2e-storage-2");
    await second.tool("workflow_publish", { yaml: GREET });
    await second.tool("workflow_start", { workflow: "e2e:greet" });
    const added = sqliteFiles().filter((path) => !before.includes(path));
    expect(added.length).toBe(2);
  });
});
