/**
 * Issue 16: `/mcp` checks an API key once per request, in the TenantDO call that also refuses a
 * suspended tenant and charges the rate limits (docs/runtime.md, "The MCP hot path"). The bound
 * for a revoked key and a suspended tenant is the next request: after a few warm calls (the
 * isolate's registry memo filled, the path at its fastest), the call right after the admin's
 * change is refused. A deleted tenant's key is refused on the next request too (its TenantDO has
 * no key rows left), though the registry memo may still point at the DO for up to a second.
 */
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, mcpRaw, newTenant } from "./support/clients.ts";

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

async function nextStep(apiKey: string, runId: string): Promise<{ status: number; code: unknown }> {
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_get_next_step", arguments: { workflow_id: runId } },
    }),
  );
  const body = (await res.json()) as { error?: { code?: unknown } };
  return { status: res.status, code: body.error?.code };
}

describe("the MCP hot path keeps revocation at the next request", () => {
  it("refuses a revoked key on the first call after the revocation", async () => {
    const tenant = await newTenant("hot-revoke");
    const runId = await startedRun(tenant.apiKey);
    const second = await adminFetch(`/admin/tenants/${tenant.id}/keys`, { method: "POST" });
    const secondKey = ((await second.json()) as { apiKey: string; key: { id: string } }).apiKey;
    await warmCalls(tenant.apiKey, runId);
    await warmCalls(secondKey, runId);

    const revoked = await adminFetch(`/admin/tenants/${tenant.id}/keys/${tenant.keyId}`, {
      method: "DELETE",
    });
    expect(revoked.status).toBe(200);
    expect(await nextStep(tenant.apiKey, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
    // the tenant's other key is untouched
    await warmCalls(secondKey, runId);
  });

  it("refuses a suspended tenant on the first call after the suspension, and serves it again on resume", async () => {
    const tenant = await newTenant("hot-suspend");
    const runId = await startedRun(tenant.apiKey);
    await warmCalls(tenant.apiKey, runId);

    const suspended = await adminFetch(`/admin/tenants/${tenant.id}/suspend`, {
      method: "POST",
      body: JSON.stringify({ reason: "bound test" }),
    });
    expect(suspended.status).toBe(200);
    expect(await nextStep(tenant.apiKey, runId)).toEqual({ status: 403, code: "tenant.suspended" });

    expect((await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST" })).status).toBe(200);
    await warmCalls(tenant.apiKey, runId);
  });

  it("refuses a deleted tenant's key on the first call after the deletion", async () => {
    const tenant = await newTenant("hot-delete");
    const runId = await startedRun(tenant.apiKey);
    await warmCalls(tenant.apiKey, runId);

    const deleted = await adminFetch(`/admin/tenants/${tenant.id}`, { method: "DELETE" });
    expect(deleted.status).toBeLessThan(300);
    expect(await nextStep(tenant.apiKey, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
  });
});
