/**
 * The client matrix: five MCP clients × every edgeflow tool, each on a success path and an error
 * path, against one `wrangler dev`. A client passes a call when it shows the result (a success's
 * structured content) or the coded error (`run.not_found` and its message, read from the text),
 * never a schema complaint or an exception of its own. The clients connect as README.md's recipes
 * say: the SDK v1 client with Claude Code's URL and header, the SDK v2 client with Cursor's
 * `mcp.json` entry, `mcp-remote` with the desktop entry; the Inspector CLI as the README runs it;
 * the Python SDK client (`mcp` from PyPI) from a cached venv, its column skipped, saying why, when
 * none can be made. Prints `client matrix: sdk-v1 44/44, ...` (`.ci/run` repeats that line).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolCaller } from "../support/mcp-call.ts";
import { inspector, mcpRemote, type Outcome, pythonSdk, sdkV1, sdkV2 } from "./clients/drivers.ts";
import { GRAPH, GRAPH_V2, HELLO, HELLO_V2, type MatrixCall, matrixCalls } from "./clients/matrix-calls.ts";
import { pythonMcp } from "./clients/python-mcp.ts";
import { claudeCodeRecipe, cursorRecipe, mcpRemoteRecipe } from "./clients/readme-recipes.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

let server: DevServer;
let apiKey: string;
let raw: ReturnType<typeof toolCaller>;
/** what a plain JSON-RPC call answers for each error call: the code and message every client must show */
const expectedErrors = new Map<string, { code: string; message: string }>();
const summary = new Map<string, string>();

const keyOf = (call: MatrixCall) => `${call.tool} ${JSON.stringify(call.args)}`;

beforeAll(async () => {
  server = await startWranglerDev();
  const res = await fetch(`${server.baseUrl}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "matrix" }),
  });
  expect(res.status).toBe(201);
  apiKey = ((await res.json()) as { apiKey: string }).apiKey;
  raw = toolCaller(server.baseUrl, apiKey);
  for (const yaml of [HELLO, HELLO_V2, GRAPH, GRAPH_V2]) {
    const published = await raw("workflow_publish", { yaml });
    expect(published.ok, published.message).toBe(true);
  }
  const errorCalls = matrixCalls({ runId: "", subscriptionId: "", serviceName: "" }).filter(
    (call) => call.path === "error",
  );
  const unexpected: string[] = [];
  for (const call of errorCalls) {
    const answer = await raw(call.tool, call.args);
    const error = answer.value.error as { code: string; message: string } | undefined;
    if (answer.ok || error?.code !== call.expect)
      unexpected.push(`${call.tool}: ${answer.message.slice(0, 400)}`);
    expectedErrors.set(keyOf(call), { code: call.expect, message: error?.message ?? "" });
  }
  expect(unexpected, "plain JSON-RPC answers each error call with its code").toEqual([]);
}, 180_000);

afterAll(async () => {
  const columns = ["sdk-v1", "sdk-v2", "inspector", "mcp-remote", "python"];
  console.log(
    `client matrix: ${columns.map((name) => `${name} ${summary.get(name) ?? "not run"}`).join(", ")}`,
  );
  await server?.stop();
});

let clientCount = 0;

/** A run with its steps not yet handed out, a subscription, and a service name, for one client. */
async function fixturesFor(client: string): Promise<MatrixCall[]> {
  clientCount += 1;
  const started = await raw("workflow_start", { workflow: "matrix:hello", inputs: { name: client } });
  expect(started.ok, started.message).toBe(true);
  const subscribed = await raw("workflow_subscribe_events", {
    event_pattern: `matrix.${clientCount}`,
    workflow: "matrix:hello",
  });
  expect(subscribed.ok, subscribed.message).toBe(true);
  return matrixCalls({
    runId: started.value.workflow_id as string,
    subscriptionId: subscribed.value.subscription_id as string,
    serviceName: `matrix_client_${clientCount}`,
  });
}

/** Why a client's outcome of a call is not what the call should show, or undefined when it is. */
function problemOf(call: MatrixCall, outcome: Outcome): string | undefined {
  if ("thrown" in outcome) return `threw: ${outcome.thrown.slice(0, 300)}`;
  if (call.path === "success") {
    if (outcome.isError) return `an error: ${outcome.text.slice(0, 300)}`;
    const structured = outcome.structuredContent as Record<string, unknown> | null | undefined;
    if (typeof structured !== "object" || structured === null) return "no structured content";
    return call.expect in structured
      ? undefined
      : `no "${call.expect}" in ${JSON.stringify(structured).slice(0, 200)}`;
  }
  if (!outcome.isError) return `not an error: ${outcome.text.slice(0, 300)}`;
  let shown: { error?: { code?: unknown; message?: unknown } };
  try {
    shown = JSON.parse(outcome.text);
  } catch {
    return `error text is not the coded JSON: ${outcome.text.slice(0, 300)}`;
  }
  const expected = expectedErrors.get(keyOf(call));
  if (shown.error?.code !== expected?.code || shown.error?.message !== expected?.message) {
    return `showed ${JSON.stringify(shown.error)}, expected ${JSON.stringify(expected)}`;
  }
  return undefined;
}

/** Checks a client's outcomes, records `passed/total` for the summary line, fails on any problem. */
function judge(client: string, calls: readonly MatrixCall[], outcomes: readonly Outcome[], note = ""): void {
  expect(outcomes.length, `${client}: one outcome per call`).toBe(calls.length);
  const problems = calls.flatMap((call, index) => {
    const problem = problemOf(call, outcomes[index] as Outcome);
    return problem === undefined ? [] : [`${call.tool} (${call.path}): ${problem}`];
  });
  summary.set(client, `${calls.length - problems.length}/${calls.length}${note}`);
  expect(problems, `${client}: ${problems.length} of ${calls.length} calls not shown as they are`).toEqual(
    [],
  );
}

describe("five MCP clients × every tool, on its success and its error path", () => {
  it("covers every tool edgeflow lists, once on each path", async () => {
    const listed = await fetch(`${server.baseUrl}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    const text = await listed.text();
    const json = JSON.parse(text.startsWith("{") ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? "{}"));
    const tools = (json.result.tools as { name: string }[]).map((tool) => tool.name).sort();
    const calls = matrixCalls({ runId: "", subscriptionId: "", serviceName: "" });
    for (const path of ["success", "error"] as const) {
      expect(
        calls
          .filter((call) => call.path === path)
          .map((call) => call.tool)
          .sort(),
        path,
      ).toEqual(tools);
    }
  });

  it("SDK v1 (@modelcontextprotocol/sdk), connected as the Claude Code recipe says", async () => {
    const calls = await fixturesFor("sdk-v1");
    judge("sdk-v1", calls, await sdkV1(claudeCodeRecipe(server.baseUrl, apiKey), calls));
  });

  it("SDK v2 (@modelcontextprotocol/client), connected with the Cursor recipe's url and headers", async () => {
    const calls = await fixturesFor("sdk-v2");
    judge("sdk-v2", calls, await sdkV2(cursorRecipe(server.baseUrl, apiKey), calls));
  });

  it("mcp-remote as the desktop recipe starts it, over stdio", async () => {
    const calls = await fixturesFor("mcp-remote");
    judge("mcp-remote", calls, await mcpRemote(mcpRemoteRecipe(server.baseUrl, apiKey), calls));
  }, 180_000);

  it("MCP Inspector CLI, one process per call, as the README runs it", async () => {
    const calls = await fixturesFor("inspector");
    const outcomes: Outcome[] = [];
    for (const call of calls) outcomes.push(await inspector(`${server.baseUrl}/mcp`, apiKey, call));
    judge("inspector", calls, outcomes);
  }, 600_000);

  it("Python SDK client (mcp from PyPI)", async (context) => {
    const python = await pythonMcp();
    if ("skipped" in python) {
      summary.set("python", `skipped: ${python.skipped}`);
      console.log(`client matrix: the python column is skipped: ${python.skipped}`);
      context.skip();
      return;
    }
    const calls = await fixturesFor("python");
    const recipe = { url: `${server.baseUrl}/mcp`, headers: { Authorization: `Bearer ${apiKey}` } };
    judge("python", calls, await pythonSdk(python.python, recipe, calls), ` (mcp ${python.version})`);
  }, 900_000);
});
