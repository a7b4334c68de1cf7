/**
 * Issue 15, quotas: usage against every limit, from `workflow_quota` and
 * `GET /admin/tenants/:id/usage`, counted from storage (right after an eviction, the daily run
 * count included), and per tenant: one tenant's objects never count against another's quota.
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish, setSecret } from "./support/events.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";
import { setSettings, type UsageView, usageOf } from "./support/quotas.ts";
import { tenantObject } from "./support/runs.ts";
import { GREET, GREET_V2 } from "./support/workflows.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;

async function fill(tenant: Tenant): Promise<void> {
  await publish(tenant.apiKey, GREET);
  await publish(tenant.apiKey, GREET_V2);
  await publish(tenant.apiKey, GREET.replace('"demo:greet"', '"demo:other"'));
  for (let i = 0; i < 3; i++) {
    const started = await callTool(tenant.apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "A" },
    });
    expect(started.isError, started.text).toBe(false);
    if (i === 0)
      await callTool(tenant.apiKey, "workflow_cancel", { workflow_id: started.structured.workflow_id });
  }
  const subscribed = await callTool(tenant.apiKey, "workflow_subscribe_events", {
    event_pattern: "usage.*",
    workflow: "demo:greet",
    inputs_mapping: { name: "'u'" },
  });
  expect(subscribed.isError, subscribed.text).toBe(false);
  await setSecret(tenant.id, "ONE", "v1");
  await setSecret(tenant.id, "TWO", "v2");
  for (const [name, uses, config] of [
    ["api", "demo@^1", { base_url: "https://u.example", token: "{{ env.ONE }}" }],
    ["api2", "demo@^1", { base_url: "https://u2.example", token: "{{ env.ONE }}" }],
    ["hook", "chat@^1", { webhook_url: "{{ env.TWO }}" }],
  ] as const) {
    const registered = await callToolWithPlugins(tenant.id, "service_register", { name, uses, config });
    expect(registered.isError, registered.text).toBe(false);
  }
}

const FILLED: Record<string, number | null> = {
  max_workflows: 2,
  max_versions_per_workflow: 2,
  max_active_runs: 2,
  max_runs_per_day: 3,
  max_stored_runs: 3,
  max_state_bytes: null,
  max_subscriptions: 1,
  max_secrets: 2,
  max_services: 3,
  max_plugins: 2,
  max_queued_starts: 0,
};

function counted(view: UsageView): Record<string, number | null> {
  return Object.fromEntries(
    view.quotas.filter((q) => q.quota !== "max_event_payload_bytes").map((q) => [q.quota, q.usage]),
  );
}

describe("quota usage", () => {
  it("workflow_quota and GET /admin/tenants/:id/usage agree, and are exact after an eviction", async () => {
    const tenant = await newTenant("usage");
    await fill(tenant);
    const before = await usageOf(tenant.id);
    expect(counted(before)).toEqual(FILLED);
    const viaTool = await callTool(tenant.apiKey, "workflow_quota");
    expect(viaTool.isError, viaTool.text).toBe(false);
    expect(viaTool.structured).toEqual(before);

    await evictDurableObject(tenantObject(tenant.id));
    expect(counted(await usageOf(tenant.id))).toEqual(FILLED);
    // the daily count is durable: after the eviction the next start past it is still refused
    await setSettings(tenant.id, { max_runs_per_day: 3 });
    await evictDurableObject(tenantObject(tenant.id));
    const refused = await callTool(tenant.apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "A" },
    });
    expect([toolErrorOf(refused).code, toolErrorOf(refused).path]).toEqual([
      "quota.exceeded",
      "max_runs_per_day",
    ]);
    const limits = Object.fromEntries((await usageOf(tenant.id)).quotas.map((q) => [q.quota, q.limit]));
    expect(limits.max_runs_per_day).toBe(3);
  });

  it("a tenant's quota never counts another tenant's objects", async () => {
    const full = await newTenant("usage-a");
    const empty = await newTenant("usage-b");
    await fill(full);
    const zero = counted(await usageOf(empty.id));
    expect(zero).toEqual({
      ...Object.fromEntries(Object.keys(FILLED).map((k) => [k, 0])),
      max_state_bytes: null,
    });
    // B at limits A already fills: B's own first object of each kind is accepted
    await setSettings(empty.id, {
      max_workflows: 1,
      max_versions_per_workflow: 1,
      max_active_runs: 1,
      max_runs_per_day: 1,
      max_stored_runs: 1,
      max_subscriptions: 1,
      max_secrets: 1,
      max_services: 1,
      max_plugins: 1,
    });
    await publish(empty.apiKey, GREET);
    const started = await callTool(empty.apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "B" },
    });
    expect(started.isError, started.text).toBe(false);
    await setSecret(empty.id, "ONE", "b1");
    const registered = await callToolWithPlugins(empty.id, "service_register", {
      name: "api",
      uses: "demo@^1",
      config: { base_url: "https://b.example", token: "{{ env.ONE }}" },
    });
    expect(registered.isError, registered.text).toBe(false);
    const own = counted(await usageOf(empty.id));
    expect(own).toMatchObject({ max_workflows: 1, max_active_runs: 1, max_secrets: 1, max_services: 1 });
    // and A is as it was
    expect(counted(await usageOf(full.id))).toEqual(FILLED);
  });

  it("GET /admin/tenants/:id/usage needs the admin token and a known tenant", async () => {
    const tenant = await newTenant("usage-auth");
    const noToken = await fetchUsage(tenant.id, tenant.apiKey);
    expect(noToken.status).toBe(401);
    const unknown = await adminFetch("/admin/tenants/no-such-tenant-q/usage");
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      "tenant.not_found",
    ]);
    const known = await adminFetch(`/admin/tenants/${tenant.id}/usage`);
    expect(known.status).toBe(200);
  });
});

async function fetchUsage(tenant: string, key: string): Promise<Response> {
  const { SELF } = await import("cloudflare:test");
  return SELF.fetch(`http://edgeflow.test/admin/tenants/${tenant}/usage`, {
    headers: { authorization: `Bearer ${key}` },
  });
}
