/**
 * Tenant lifecycle × quotas (issue 15): a suspended tenant's queued starts (`active_runs_policy:
 * queue`) stay queued, even when the operator frees slots by raising `max_active_runs` and the
 * alarm runs; on resume they start. The queue is read through the admin usage route, which works
 * while the tenant is suspended.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, newTenant } from "./support/clients.ts";
import { postEvent, publish } from "./support/events.ts";
import { setSettings, usageOf, usedOf } from "./support/quotas.ts";
import { tenantObject } from "./support/runs.ts";

const ON_PING = `name: "queue:ping"
description: "Runs on a custom event and waits for the agent"
version: "1.0.0"
triggers:
  - type: event
    event_type: "ping"
steps:
  - id: "say"
    type: "user_message"
    message: "pong"
`;

async function queuedOnce(tenant: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await usageOf(tenant)).queued_starts >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the start was not queued");
}

describe("a suspended tenant's queued starts", () => {
  it("stay queued while suspended, even with a free slot and the alarm run, and start on resume", async () => {
    const tenant = await newTenant("lcq");
    await publish(tenant.apiKey, ON_PING);
    expect((await setSettings(tenant.id, { max_active_runs: 0, active_runs_policy: "queue" })).status).toBe(
      200,
    );
    expect((await postEvent(tenant.apiKey, { type: "ping", id: "ping-1" })).status).toBe(202);
    await queuedOnce(tenant.id);

    expect(
      (await adminFetch(`/admin/tenants/${tenant.id}/suspend`, { method: "POST", body: "{}" })).status,
    ).toBe(200);
    expect((await setSettings(tenant.id, { max_active_runs: 1 })).status).toBe(200);
    await runDurableObjectAlarm(tenantObject(tenant.id));
    const suspended = await usageOf(tenant.id);
    expect([suspended.queued_starts, usedOf(suspended, "max_active_runs")]).toEqual([1, 0]);

    expect(
      (await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST", body: "{}" })).status,
    ).toBe(200);
    await runDurableObjectAlarm(tenantObject(tenant.id));
    const resumed = await usageOf(tenant.id);
    expect([resumed.queued_starts, usedOf(resumed, "max_active_runs")]).toEqual([0, 1]);
  });
});
