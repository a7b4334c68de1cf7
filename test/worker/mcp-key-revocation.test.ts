/**
 * Issue 16: `/mcp` remembers, per isolate and for less than ADMITTED_CALLER_MS (1 s), that the
 * TenantDO admitted a caller (worker/keys/admitted-callers.ts; docs/runtime.md, "The MCP hot
 * path"). The documented bound, on a frozen clock moved by hand: a key revoked, a tenant suspended
 * or a tenant's deletion begun by another isolate (simulated by calling the TenantDO directly, as
 * the admin route of another isolate would) is still admitted from memory before the bound and
 * refused once it has passed. Through the isolate that served the admin request, the very next
 * call is refused. Units admitted from memory are charged by the TenantDO on the next call, so the
 * rate limit refuses on time and its durable count is exact.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { ADMITTED_CALLER_MS } from "../../worker/keys/admitted-callers.ts";
import { adminFetch, callTool, mcpRaw, newTenant, readRpcBody } from "./support/clients.ts";
import { advanceClock, freezeInWindow, rateLimitHeadersOf, setSettings } from "./support/rate-limits.ts";
import { tenantObject } from "./support/runs.ts";

afterEach(() => {
  vi.useRealTimers();
});

const ONE_STEP = `name: "hot:path"
description: "one pending client step, handed out again on every call"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

async function startedRun(apiKey: string): Promise<string> {
  await callTool(apiKey, "workflow_publish", { yaml: ONE_STEP });
  const started = await callTool(apiKey, "workflow_start", { workflow: "hot:path" });
  expect(started.isError, started.text).toBe(false);
  return String(started.structured.workflow_id);
}

async function warmCalls(apiKey: string, runId: string): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.status, next.text).toBe("steps");
  }
}

interface NextStepAnswer {
  status: number;
  /** the HTTP error's code, the tool error's code, or `steps` when served */
  code: unknown;
  headers: Headers;
}

async function nextStep(apiKey: string, runId: string): Promise<NextStepAnswer> {
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_get_next_step", arguments: { workflow_id: runId } },
    }),
  );
  const body = (await readRpcBody(res)) as {
    error?: { code?: unknown };
    result?: { isError?: boolean; structuredContent?: { status?: unknown }; content?: { text?: string }[] };
  };
  if (body.error !== undefined) return { status: res.status, code: body.error.code, headers: res.headers };
  if (body.result?.isError === true) {
    const shape = JSON.parse(body.result.content?.[0]?.text ?? "{}") as { error?: { code?: unknown } };
    return { status: res.status, code: shape.error?.code, headers: res.headers };
  }
  return { status: res.status, code: body.result?.structuredContent?.status, headers: res.headers };
}

function served(answer: NextStepAnswer): { status: number; code: unknown } {
  return { status: answer.status, code: answer.code };
}

describe("the MCP hot path: a change made elsewhere takes effect within ADMITTED_CALLER_MS", () => {
  it("a revoked key is admitted from memory before the bound and refused once it has passed", async () => {
    expect(ADMITTED_CALLER_MS).toBeLessThanOrEqual(1_000);
    const tenant = await newTenant("bound-revoke");
    const runId = await startedRun(tenant.apiKey);
    const second = await adminFetch(`/admin/tenants/${tenant.id}/keys`, { method: "POST" });
    const secondKey = ((await second.json()) as { apiKey: string }).apiKey;
    freezeInWindow(1);
    // the memo admits only units the TenantDO leased ahead, a lease that grows with use: six calls
    // leave it holding more than the two calls below (docs/runtime.md, "The MCP hot path")
    await warmCalls(tenant.apiKey, runId);
    await warmCalls(tenant.apiKey, runId);
    await warmCalls(secondKey, runId);

    await unwrap(tenantStub(env, tenant.id).revokeKey(tenant.id, tenant.keyId));
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 200, code: "steps" });
    advanceClock(ADMITTED_CALLER_MS - 1);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 200, code: "steps" });
    advanceClock(1);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 401, code: "auth.invalid_key" });
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 401, code: "auth.invalid_key" });
    // the tenant's other key is untouched
    await warmCalls(secondKey, runId);
  });

  it("a suspended tenant is refused once the bound has passed, and served again on resume", async () => {
    const tenant = await newTenant("bound-suspend");
    const runId = await startedRun(tenant.apiKey);
    freezeInWindow(1);
    await warmCalls(tenant.apiKey, runId);

    await unwrap(tenantStub(env, tenant.id).suspend(tenant.id, "bound test"));
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 200, code: "steps" });
    advanceClock(ADMITTED_CALLER_MS);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 403, code: "tenant.suspended" });
    // a refusal is never remembered: the next call asks again, and is refused again
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 403, code: "tenant.suspended" });

    expect((await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST" })).status).toBe(200);
    await warmCalls(tenant.apiKey, runId);
  });

  it("a tenant whose deletion began elsewhere is refused once the bound has passed", async () => {
    const tenant = await newTenant("bound-delete");
    const runId = await startedRun(tenant.apiKey);
    freezeInWindow(1);
    await warmCalls(tenant.apiKey, runId);

    await unwrap(tenantStub(env, tenant.id).beginDeletion(tenant.id));
    advanceClock(ADMITTED_CALLER_MS - 1);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 200, code: "steps" });
    advanceClock(1);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 401, code: "auth.invalid_key" });
  });
});

describe("through the isolate that served the admin request, the very next call is refused", () => {
  it("a revoked key", async () => {
    const tenant = await newTenant("hot-revoke");
    const runId = await startedRun(tenant.apiKey);
    freezeInWindow(1);
    await warmCalls(tenant.apiKey, runId);
    const revoked = await adminFetch(`/admin/tenants/${tenant.id}/keys/${tenant.keyId}`, {
      method: "DELETE",
    });
    expect(revoked.status).toBe(200);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 401, code: "auth.invalid_key" });
  });

  it("a suspended tenant", async () => {
    const tenant = await newTenant("hot-suspend");
    const runId = await startedRun(tenant.apiKey);
    freezeInWindow(1);
    await warmCalls(tenant.apiKey, runId);
    const suspended = await adminFetch(`/admin/tenants/${tenant.id}/suspend`, {
      method: "POST",
      body: JSON.stringify({ reason: "bound test" }),
    });
    expect(suspended.status).toBe(200);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 403, code: "tenant.suspended" });
  });

  it("a deleted tenant", async () => {
    const tenant = await newTenant("hot-delete");
    const runId = await startedRun(tenant.apiKey);
    freezeInWindow(1);
    await warmCalls(tenant.apiKey, runId);
    const deleted = await adminFetch(`/admin/tenants/${tenant.id}`, { method: "DELETE" });
    expect(deleted.status).toBeLessThan(300);
    expect(served(await nextStep(tenant.apiKey, runId))).toEqual({ status: 401, code: "auth.invalid_key" });
  });
});

describe("units admitted from memory are charged to the rate limit", () => {
  it("the TenantDO charges them on the next call: the limit refuses on time and the durable count is exact", async () => {
    const limit = 5;
    const tenant = await newTenant("bound-ratelimit");
    const runId = await startedRun(tenant.apiKey);
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: limit });
    freezeInWindow(1);
    const left: (string | null)[] = [];
    for (let i = 0; i < limit; i += 1) {
      const answer = await nextStep(tenant.apiKey, runId);
      expect(served(answer)).toEqual({ status: 200, code: "steps" });
      left.push(rateLimitHeadersOf(answer.headers).ratelimit ?? null);
    }
    // the first call asked the TenantDO; the other four were admitted from memory, counting down
    expect(left).toEqual([4, 3, 2, 1, 0].map((r) => `"mcp";r=${r};t=59`));
    // the memo's budget is spent: the TenantDO is asked, charged the four, and refuses the sixth
    const refused = await nextStep(tenant.apiKey, runId);
    expect(served(refused)).toEqual({ status: 200, code: "ratelimit.exceeded" });
    expect(rateLimitHeadersOf(refused.headers)).toMatchObject({
      ratelimit: '"mcp";r=0;t=59',
      "retry-after": "59",
    });
    const used = await runInDurableObject(tenantObject(tenant.id), (_instance, state) =>
      state.storage.sql
        .exec<{ used: number }>("SELECT used FROM rate_limit_windows WHERE bucket = 'mcp'")
        .toArray(),
    );
    expect(used).toEqual([{ used: limit }]);
  });
});
