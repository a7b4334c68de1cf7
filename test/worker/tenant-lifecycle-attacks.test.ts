/**
 * Regression tests for the attack review of rate limits and the tenant lifecycle (issue 15):
 * - a tenant deleted and created again under the same id starts with nothing of the old one in
 *   the warm TenantDO's memory (decrypted secrets, cached rate-limit settings);
 * - the operator's lifecycle calls and revocations are never refused by the admin rate limit, so a
 *   deletion can always be finished;
 * - a percent-encoded tenant id in an admin path is charged to the tenant it names;
 * - every authenticated `/mcp` method is charged, not only POST;
 * - the TenantDO's service methods refuse a suspended tenant's own calls; the operator's still work;
 * - a suspended tenant's webhook endpoints say "suspended" only to a delivery that verifies;
 * - an events batch no minute could admit is refused 413, not 429 with a Retry-After;
 * - every TenantDO method is either tenant-facing (refused while suspended) or listed as the
 *   operator's or the platform's, so a new method cannot skip the suspension unnoticed.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { Outcome } from "../../durable-objects/outcome.ts";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import { adminFetch, BASE, mcpRaw, newTenant } from "./support/clients.ts";
import { DEPLOY_HOOK, HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";
import { freezeInWindow, setSettings } from "./support/rate-limits.ts";

afterEach(() => {
  vi.useRealTimers();
});

async function deleteFully(id: string): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const res = await adminFetch(`/admin/tenants/${id}`, { method: "DELETE" });
    if (res.status === 200) return;
    expect(res.status).toBe(202);
  }
  throw new Error("deletion did not finish");
}

async function createAgain(id: string): Promise<string> {
  const created = await adminFetch("/admin/tenants", { method: "POST", body: JSON.stringify({ id }) });
  expect(created.status).toBe(201);
  return ((await created.json()) as { apiKey: string }).apiKey;
}

async function signedPush(tenant: string, secret: string) {
  const body = JSON.stringify({ ref: "refs/heads/main" });
  return postHook(tenant, "/workflow/trigger", body, await sign("standard", secret, body));
}

const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });

describe("a tenant created again under a deleted tenant's id", () => {
  it("does not verify webhooks with the deleted tenant's cached secret", async () => {
    const old = await newTenant("atk-sec");
    await setSecret(old.id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(old.apiKey, DEPLOY_HOOK);
    // a verified delivery makes the vault decrypt and keep the secrets in memory
    expect((await signedPush(old.id, HOOK_SECRET)).status).toBe(202);

    await deleteFully(old.id);
    const apiKey = await createAgain(old.id);
    await publish(apiKey, DEPLOY_HOOK); // the same trigger, but no secret set

    const delivered = await signedPush(old.id, HOOK_SECRET);
    expect(delivered.status).not.toBe(202);
  });

  it("does not inherit the deleted tenant's cached rate-limit settings", async () => {
    freezeInWindow(1);
    const old = await newTenant("atk-rl");
    await setSettings(old.id, { rate_limit_mcp_per_minute: 1 });
    expect((await mcpRaw(old.apiKey, LIST)).status).toBe(200);
    expect((await mcpRaw(old.apiKey, LIST)).status).toBe(429);

    await deleteFully(old.id);
    const apiKey = await createAgain(old.id);
    for (let i = 0; i < 3; i += 1) expect((await mcpRaw(apiKey, LIST)).status).toBe(200);
  });
});

describe("the admin rate limit", () => {
  it("never refuses suspend, resume, key revocation or a deletion", async () => {
    freezeInWindow(1);
    const tenant = await newTenant("atk-adm-life");
    await setSettings(tenant.id, { rate_limit_admin_per_minute: 1 });
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(429);

    expect(
      (await adminFetch(`/admin/tenants/${tenant.id}/suspend`, { method: "POST", body: "{}" })).status,
    ).toBe(200);
    expect(
      (await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST", body: "{}" })).status,
    ).toBe(200);
    expect(
      (await adminFetch(`/admin/tenants/${tenant.id}/keys/${tenant.keyId}`, { method: "DELETE" })).status,
    ).toBe(200);
    await deleteFully(tenant.id);
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(404);
  });

  it("charges a percent-encoded tenant id to the tenant it decodes to", async () => {
    freezeInWindow(1);
    const tenant = await newTenant("atk-adm-enc");
    await setSettings(tenant.id, { rate_limit_admin_per_minute: 2 });
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(200);
    const encoded = `%${tenant.id.charCodeAt(0).toString(16)}${tenant.id.slice(1)}`;
    expect((await adminFetch(`/admin/tenants/${encoded}`)).status).toBe(429);
    const patched = await adminFetch(`/admin/tenants/${encoded}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ rate_limit_admin_per_minute: 1_000_000 }),
    });
    expect(patched.status).toBe(429);
  });
});

describe("the MCP rate limit", () => {
  it("charges every authenticated /mcp method, not only POST", async () => {
    freezeInWindow(1);
    const tenant = await newTenant("atk-mcpget");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 1 });
    expect((await mcpRaw(tenant.apiKey, LIST)).status).toBe(200);
    const res = await SELF.fetch(`${BASE}/mcp`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${tenant.apiKey}`, "mcp-protocol-version": "2025-06-18" },
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ratelimit.exceeded");
  });
});

describe("a suspended tenant's services", () => {
  it("refuses the tenant's own service calls in the TenantDO; the operator still manages them", async () => {
    const tenant = await newTenant("atk-svc");
    const suspended = await adminFetch(`/admin/tenants/${tenant.id}/suspend`, { method: "POST", body: "{}" });
    expect(suspended.status).toBe(200);
    const stub = tenantStub(env, tenant.id);
    const listed = await stub.listServices(tenant.id);
    expect(listed.ok ? "ok" : listed.error.code).toBe("tenant.suspended");
    const deleted = await stub.deleteService(tenant.id, "anything", { actor: `key:${tenant.keyId}` });
    expect(deleted.ok ? "ok" : deleted.error.code).toBe("tenant.suspended");

    expect((await adminFetch(`/admin/tenants/${tenant.id}/services`)).status).toBe(200);
    const removed = await adminFetch(`/admin/tenants/${tenant.id}/services/anything`, { method: "DELETE" });
    expect(((await removed.json()) as { error: { code: string } }).error.code).toBe("service.not_found");
  });
});

describe("a suspended tenant's webhooks", () => {
  it("tell only a sender whose delivery verifies that the tenant is suspended", async () => {
    const tenant = await newTenant("atk-hook");
    await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(tenant.apiKey, DEPLOY_HOOK);
    const suspended = await adminFetch(`/admin/tenants/${tenant.id}/suspend`, { method: "POST", body: "{}" });
    expect(suspended.status).toBe(200);

    const probe = await postHook(tenant.id, "/no/such/endpoint", "{}");
    expect(probe.status).toBe(404);
    expect(probe.body.error?.code).toBe("hooks.unknown_endpoint");
    const unsigned = await postHook(tenant.id, "/workflow/trigger", "{}");
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error?.code).not.toBe("tenant.suspended");

    const signed = await signedPush(tenant.id, HOOK_SECRET);
    expect(signed.status).toBe(503);
    expect(signed.body.error?.code).toBe("tenant.suspended");
  });
});

describe("a POST /events batch larger than the events limit", () => {
  it("is refused 413 ratelimit.batch_too_large without Retry-After, and charges nothing", async () => {
    freezeInWindow(1);
    const tenant = await newTenant("atk-evb");
    await setSettings(tenant.id, { rate_limit_events_per_minute: 3 });
    const post = (count: number) =>
      SELF.fetch(`${BASE}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          events: Array.from({ length: count }, (_, i) => ({ type: "custom.batch", id: `e${count}-${i}` })),
        }),
      });
    const tooLarge = await post(4);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("retry-after")).toBeNull();
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe(
      "ratelimit.batch_too_large",
    );
    // nothing was charged: a batch of three still fits this minute
    expect((await post(3)).status).toBe(202);
  });
});

/** Methods a tenant's own request, tool or run reaches: refused while the tenant is suspended. */
const TENANT_FACING = [
  "admitCaller",
  "peekSignInLink",
  "redeemSignInLink",
  "publishWorkflow",
  "getWorkflow",
  "listWorkflows",
  "listRuns",
  "requireRun",
  "startRun",
  "receiveEvent",
  "receiveEvents",
  "subscribe",
  "unsubscribe",
  "listSubscriptions",
  "listEvents",
  "registerService",
  "listServices",
  "deleteService",
  "performEffect",
  "listCircuits",
  "changeRelease",
  "judgeCompatibility",
  "exportWorkflowVersions",
  "importWorkflowVersions",
  "listRunPage",
  "migrateRun",
  "migrateRuns",
  "rollbackRunMigration",
];

/**
 * The operator's methods (they manage a suspended tenant), those with their own answer, and the
 * platform's own bookkeeping. A tenant's credential reaches none of them while it is suspended:
 * `authenticate` / `admitCaller` refuse it first.
 */
const NOT_TENANT_FACING = [
  "createTenant",
  "describeTenant",
  "updateSettings",
  "addKey",
  "revokeKey",
  "authenticate", // tenant.suspended for a valid key (its own answer)
  "admitAdmin",
  "issueSignInLink",
  "withdrawSignInLinks",
  "recordRun", // a RunDO's index update
  "recordStepMetrics", // a RunDO's batch of step durations
  "recordSpans", // a traced RunDO's finished spans
  "metricsSnapshot", // GET /metrics: a suspended tenant's key is refused by authenticate first
  "receiveWebhook", // tenant.suspended once a delivery verifies (above)
  "setSecret",
  "deleteSecret",
  "listSecrets",
  "recordAudit", // the entry of a change a RunDO already committed
  "listAudit", // workflow_audit and the admin export
  "quotaUsage", // workflow_quota and GET /admin/tenants/:id/usage
  "suspend",
  "resume",
  "acceptsRunWork",
  "beginDeletion",
  "eraseRuns",
  "eraseTenant",
];

describe("every TenantDO method and suspension", () => {
  it("is tenant-facing and refused, or listed as the operator's or the platform's", async () => {
    const { id } = await newTenant("atk-walk");
    const suspended = await adminFetch(`/admin/tenants/${id}/suspend`, { method: "POST", body: "{}" });
    expect(suspended.status).toBe(200);
    const typed: DurableObjectStub<TenantDO> = env.TENANT_DO.get(env.TENANT_DO.idFromName(id));
    await runInDurableObject(typed, async (instance: TenantDO) => {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).filter(
        (name) =>
          !["constructor", "alarm", "fetch"].includes(name) &&
          typeof Reflect.get(instance, name) === "function",
      );
      expect(methods.sort()).toEqual([...TENANT_FACING, ...NOT_TENANT_FACING].sort());
      for (const name of TENANT_FACING) {
        const method = Reflect.get(instance, name) as (
          tenant: string,
          ...rest: unknown[]
        ) => Promise<Outcome<unknown>>;
        const outcome = await method.call(instance, id, undefined, undefined);
        expect([name, outcome.ok ? "ok" : outcome.error.code]).toEqual([name, "tenant.suspended"]);
      }
    });
  });
});
