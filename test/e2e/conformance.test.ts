/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode, every
 * server scenario) against `wrangler dev`. Every scenario that applies to edgeflow must pass, and
 * the ones that do not apply must be exactly test/conformance/baseline.yml, each failing for the
 * reason the baseline gives (a method or fixture tool edgeflow does not have, or the warnings of
 * a stateless server), so a scenario that starts passing or failing shows up here. The suite
 * cannot send a header, so a local proxy adds the tenant's key (test/e2e/bearer-proxy.ts).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type BearerProxy, startBearerProxy } from "./bearer-proxy.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const suite = join(root, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const baselineFile = join(root, "test", "conformance", "baseline.yml");

/** What edgeflow is for: these must be among the passing scenarios whatever the suite adds. */
const CORE = ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"];

/** Why a scenario in the baseline may fail: anything else is a real failure hiding in it. */
const NOT_APPLICABLE_REASONS = [
  /MCP error -32601: Method not found/,
  /Tool '?\w+'? not found/,
  /did not provide session ID/,
  /did not send priming event/,
  /did not send retry field/,
];

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
  details?: { message?: string };
}

let server: DevServer;
let proxy: BearerProxy;
let outputDir: string;

beforeAll(async () => {
  server = await startWranglerDev();
  const res = await fetch(`${server.baseUrl}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "conformance" }),
  });
  expect(res.status).toBe(201);
  const { apiKey } = (await res.json()) as { apiKey: string };
  proxy = await startBearerProxy(server.baseUrl, apiKey);
  outputDir = mkdtempSync(join(tmpdir(), "edgeflow-conformance-"));
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  if (outputDir !== undefined) rmSync(outputDir, { recursive: true, force: true });
});

/** Every server scenario the installed suite has (`conformance list --server`). */
async function serverScenarios(): Promise<string[]> {
  const { stdout } = await run(process.execPath, [suite, "list", "--server"], { cwd: root });
  return [...stdout.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] as string);
}

/** Runs the whole server suite with the baseline; answers the CLI's exit code and output. */
async function runSuite(url: string): Promise<{ code: number; output: string }> {
  const args = [suite, "server", "--url", url, "--suite", "all"];
  args.push("--expected-failures", baselineFile, "--output-dir", outputDir);
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, timeout: 300_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** The checks of each scenario run, from `<outputDir>/server-<scenario>-<timestamp>/checks.json`. */
function readResults(): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  for (const entry of readdirSync(outputDir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    if (scenario === undefined) continue;
    const checks = JSON.parse(readFileSync(join(outputDir, entry, "checks.json"), "utf8")) as Check[];
    results.set(scenario, checks);
  }
  return results;
}

/** As the suite counts it for a baseline: a failure or a warning means not passed. */
function problemsOf(checks: Check[]): Check[] {
  return checks.filter((check) => check.status === "FAILURE" || check.status === "WARNING");
}

describe("MCP conformance suite", () => {
  it("passes every scenario that applies; the baseline is exactly the ones that do not", async () => {
    const scenarios = await serverScenarios();
    const baseline = (
      (parse(readFileSync(baselineFile, "utf8")) as { server: string[] }).server ?? []
    ).sort();
    const { code, output } = await runSuite(`${proxy.baseUrl}/mcp`);
    const results = readResults();
    expect([...results.keys()].sort(), output).toEqual([...scenarios].sort());

    const notPassed = [...results]
      .filter(([, checks]) => problemsOf(checks).length > 0)
      .map(([name]) => name);
    const passed = scenarios.filter((name) => !notPassed.includes(name));
    expect(notPassed.sort(), output).toEqual(baseline);
    expect(passed).toEqual(expect.arrayContaining(CORE));
    for (const name of baseline) {
      for (const problem of problemsOf(results.get(name) ?? [])) {
        const reason = problem.errorMessage ?? problem.details?.message ?? "";
        const known = NOT_APPLICABLE_REASONS.some((pattern) => pattern.test(reason));
        expect(known, `${name}/${problem.id}: ${reason}`).toBe(true);
      }
    }
    // the suite's own verdict on the same baseline (stale entries and regressions both exit 1)
    expect(code, output).toBe(0);
    console.log(`conformance: ${passed.length} passed, ${baseline.length} not applicable (baseline)`);
  });
});
