/**
 * Issue 16, end to end against a real `wrangler dev`: `/mcp` remembers an admitted caller for less
 * than ADMITTED_CALLER_MS (worker/keys/admitted-callers.ts), so a revoked key, a suspended tenant
 * and a deleted tenant must be refused within that bound. An agent keeps calling
 * `workflow_get_next_step` while the admin makes the change; the test polls until the first
 * refusal and asserts it came within the bound plus a margin for a loaded machine, and that every
 * call after it is refused too (a refusal is never remembered as "admitted").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMITTED_CALLER_MS } from "../../worker/keys/admitted-callers.ts";
import { createTenantClient, type EdgeflowClient } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

/** What a loaded 2-core machine may add to the bound between the change and a refusal. */
const MARGIN_MS = 4_000;

const ONE_STEP = `name: "bound:loop"
description: "one pending client step, handed out again on every call"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

let server: DevServer;
let tenantCount = 0;

beforeAll(async () => {
  server = await startWranglerDev({ exposeWorkerUrl: true });
});

afterAll(async () => {
  await server?.stop();
});

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.workerUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function tenantWithRun(
  prefix: string,
): Promise<{ client: EdgeflowClient; keyId: string; runId: string }> {
  tenantCount += 1;
  const client = await createTenantClient(server.workerUrl!, server.adminToken, `${prefix}-${tenantCount}`);
  await client.tool("workflow_publish", { yaml: ONE_STEP });
  const started = await client.tool("workflow_start", { workflow: "bound:loop" });
  const keyId = client.apiKey.split("_")[2]!;
  return { client, keyId, runId: String(started.workflow_id) };
}

/** One `workflow_get_next_step`: `steps` when served, else the HTTP status and error code. */
async function nextStep(apiKey: string, runId: string): Promise<string> {
  const res = await fetch(`${server.workerUrl}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_get_next_step", arguments: { workflow_id: runId } },
    }),
  });
  const text = await res.text();
  if (res.status === 200 && text.includes('"status":"steps"')) return "steps";
  const code = /"code":"([a-z_.]+)"/.exec(text)?.[1] ?? "none";
  return `${res.status} ${code}`;
}

/** Calls until one is refused; the answers and how long after `since` the first refusal came. */
async function untilRefused(apiKey: string, runId: string, since: number) {
  const answers: string[] = [];
  for (;;) {
    const answer = await nextStep(apiKey, runId);
    answers.push(answer);
    if (answer !== "steps") return { refusal: answer, afterMs: Date.now() - since, answers };
    if (Date.now() - since > ADMITTED_CALLER_MS + MARGIN_MS)
      return { refusal: null, afterMs: Infinity, answers };
  }
}

async function warm(apiKey: string, runId: string): Promise<void> {
  for (let i = 0; i < 5; i += 1) expect(await nextStep(apiKey, runId)).toBe("steps");
}

async function stillRefused(apiKey: string, runId: string, refusal: string): Promise<void> {
  for (let i = 0; i < 5; i += 1) expect(await nextStep(apiKey, runId)).toBe(refusal);
}

describe("a change to a caller takes effect on /mcp within the documented bound", () => {
  it("a revoked key is refused within ADMITTED_CALLER_MS; the tenant's other key keeps working", async () => {
    const { client, keyId, runId } = await tenantWithRun("bound-revoke");
    const second = await admin("POST", `/admin/tenants/${client.tenant}/keys`, {});
    const secondKey = ((await second.json()) as { apiKey: string }).apiKey;
    await warm(client.apiKey, runId);
    await warm(secondKey, runId);

    const since = Date.now();
    expect((await admin("DELETE", `/admin/tenants/${client.tenant}/keys/${keyId}`)).status).toBe(200);
    const { refusal, afterMs } = await untilRefused(client.apiKey, runId, since);
    expect(refusal).toBe("401 auth.invalid_key");
    expect(afterMs).toBeLessThanOrEqual(ADMITTED_CALLER_MS + MARGIN_MS);
    await stillRefused(client.apiKey, runId, "401 auth.invalid_key");
    await warm(secondKey, runId);
  });

  it("a suspended tenant is refused within ADMITTED_CALLER_MS, and served again once resumed", async () => {
    const { client, runId } = await tenantWithRun("bound-suspend");
    await warm(client.apiKey, runId);

    const since = Date.now();
    const suspended = await admin("POST", `/admin/tenants/${client.tenant}/suspend`, { reason: "e2e bound" });
    expect(suspended.status).toBe(200);
    const { refusal, afterMs } = await untilRefused(client.apiKey, runId, since);
    expect(refusal).toBe("403 tenant.suspended");
    expect(afterMs).toBeLessThanOrEqual(ADMITTED_CALLER_MS + MARGIN_MS);
    await stillRefused(client.apiKey, runId, "403 tenant.suspended");

    expect((await admin("POST", `/admin/tenants/${client.tenant}/resume`)).status).toBe(200);
    await warm(client.apiKey, runId);
  });

  it("a deleted tenant's key is refused within ADMITTED_CALLER_MS", async () => {
    const { client, runId } = await tenantWithRun("bound-delete");
    await warm(client.apiKey, runId);

    const since = Date.now();
    const deleted = await admin("DELETE", `/admin/tenants/${client.tenant}`);
    expect(deleted.status).toBeLessThan(300);
    const { refusal, afterMs } = await untilRefused(client.apiKey, runId, since);
    expect(refusal).toBe("401 auth.invalid_key");
    expect(afterMs).toBeLessThanOrEqual(ADMITTED_CALLER_MS + MARGIN_MS);
    await stillRefused(client.apiKey, runId, "401 auth.invalid_key");
  });
});
