/**
 * Issue 15, quotas: `active_runs_policy: queue`. A run an event starts while `max_active_runs`
 * runs are going waits, durably, as a pending start (its match `pending` in the event log, counted
 * in `queued_starts`); when an active run ends, the tenant alarm starts the oldest queued one.
 * An agent's `workflow_start` is never queued: it is refused with `quota.exceeded`. No sleeps:
 * the alarm is run with `runDurableObjectAlarm`, the DO evicted with `evictDurableObject`.
 */
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { eventLog, postEvent, publish } from "./support/events.ts";
import { setSettings, usageOf, usedOf } from "./support/quotas.ts";
import { tenantObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

const ON_PING = `name: "queue:ping"
description: "Runs on a custom event and waits for the agent"
version: "1.0.0"
triggers:
  - type: event
    event_type: "ping"
steps:
  - id: "say"
    type: "user_message"
    message: "pong {{ event.payload.n }}"
`;

async function ping(apiKey: string, n: number): Promise<string> {
  const res = await postEvent(apiKey, { type: "ping", id: `ping-${n}`, payload: { n } });
  expect(res.status).toBe(202);
  return res.body.event_id!;
}

async function matchOf(apiKey: string, eventId: string): Promise<{ outcome: string; workflow_id?: string }> {
  const [event] = await eventLog(apiKey, { event_id: eventId });
  return event!.matches[0]!;
}

/** Waits until the event's match has left `pending` or, with `queued` > 0, that many starts are queued. */
async function tried(tenant: string, apiKey: string, eventId: string, queued: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const match = await matchOf(apiKey, eventId);
    if (match.outcome !== "pending") return;
    if (queued > 0 && (await usageOf(tenant)).queued_starts >= queued) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`event ${eventId} was not tried`);
}

describe("active_runs_policy: queue", () => {
  it("an event's run waits for a slot and starts on the alarm after an active run ends", async () => {
    const tenant = await newTenant("queue");
    await publish(tenant.apiKey, ON_PING);
    const set = await setSettings(tenant.id, { max_active_runs: 1, active_runs_policy: "queue" });
    expect(set.status).toBe(200);

    const first = await ping(tenant.apiKey, 1);
    await tried(tenant.id, tenant.apiKey, first, 0);
    const running = await matchOf(tenant.apiKey, first);
    expect(running.outcome).toBe("started");

    const second = await ping(tenant.apiKey, 2);
    await tried(tenant.id, tenant.apiKey, second, 1);
    expect((await matchOf(tenant.apiKey, second)).outcome).toBe("pending");
    const waiting = await usageOf(tenant.id);
    expect([waiting.active_runs_policy, waiting.queued_starts, usedOf(waiting, "max_active_runs")]).toEqual([
      "queue",
      1,
      1,
    ]);

    // the queue is durable: an eviction keeps it
    await evictDurableObject(tenantObject(tenant.id));
    // still no slot: the alarm leaves it queued
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect((await matchOf(tenant.apiKey, second)).outcome).toBe("pending");

    // the running run ends: its slot goes to the queued start, on the alarm
    const cancelled = await callTool(tenant.apiKey, "workflow_cancel", { workflow_id: running.workflow_id });
    expect(cancelled.structured.status).toBe("cancelled");
    expect(await runDurableObjectAlarm(tenantObject(tenant.id))).toBe(true);
    const started = await matchOf(tenant.apiKey, second);
    expect(started.outcome).toBe("started");
    const status = await callTool(tenant.apiKey, "workflow_get_status", { workflow_id: started.workflow_id });
    expect(status.structured.status).toBe("running");
    const after = await usageOf(tenant.id);
    expect([after.queued_starts, usedOf(after, "max_active_runs")]).toEqual([0, 1]);
  });

  it("a raised max_active_runs gives the new slots to queued starts", async () => {
    const tenant = await newTenant("queue-raise");
    await publish(tenant.apiKey, ON_PING);
    await setSettings(tenant.id, { max_active_runs: 0, active_runs_policy: "queue" });
    const events: string[] = [];
    for (const n of [1, 2, 3]) {
      events.push(await ping(tenant.apiKey, n));
      await tried(tenant.id, tenant.apiKey, events[n - 1]!, n);
    }
    expect(await setSettings(tenant.id, { max_active_runs: 2 }).then((res) => res.status)).toBe(200);
    expect(await runDurableObjectAlarm(tenantObject(tenant.id))).toBe(true);
    // the two oldest start, the third stays queued
    const outcomes = [];
    for (const id of events) outcomes.push((await matchOf(tenant.apiKey, id)).outcome);
    expect(outcomes).toEqual(["started", "started", "pending"]);
    expect((await usageOf(tenant.id)).queued_starts).toBe(1);
  });

  it("an agent's workflow_start is refused, not queued", async () => {
    const tenant = await newTenant("queue-agent");
    await publish(tenant.apiKey, GREET);
    await setSettings(tenant.id, { max_active_runs: 1, active_runs_policy: "queue" });
    const start = () =>
      callTool(tenant.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "A" } });
    expect((await start()).isError).toBe(false);
    const refused = toolErrorOf(await start());
    expect([refused.code, refused.path]).toEqual(["quota.exceeded", "max_active_runs"]);
    expect((await usageOf(tenant.id)).queued_starts).toBe(0);
  });

  it("max_queued_starts bounds the queue: one more start is logged start_failed, the rest start in order", async () => {
    const tenant = await newTenant("queue-bound");
    await publish(tenant.apiKey, ON_PING);
    const set = await setSettings(tenant.id, {
      max_active_runs: 0,
      active_runs_policy: "queue",
      max_queued_starts: 2,
    });
    expect(set.status).toBe(200);
    const queued = [await ping(tenant.apiKey, 1)];
    await tried(tenant.id, tenant.apiKey, queued[0]!, 1);
    queued.push(await ping(tenant.apiKey, 2));
    await tried(tenant.id, tenant.apiKey, queued[1]!, 2);

    const over = await ping(tenant.apiKey, 3);
    await tried(tenant.id, tenant.apiKey, over, 0);
    const refused = await matchOf(tenant.apiKey, over);
    expect(refused).toMatchObject({ outcome: "start_failed", error: { code: "quota.exceeded" } });
    expect((refused as { error?: { message: string } }).error?.message).toContain("max_queued_starts");
    // the refused event is kept in the log
    expect(await eventLog(tenant.apiKey, { event_id: over })).toHaveLength(1);
    const full = await usageOf(tenant.id);
    expect([full.queued_starts, usedOf(full, "max_queued_starts")]).toEqual([2, 2]);

    // one slot: the oldest queued start takes it, the other keeps its place
    expect((await setSettings(tenant.id, { max_active_runs: 1 })).status).toBe(200);
    expect(await runDurableObjectAlarm(tenantObject(tenant.id))).toBe(true);
    const outcomes = [];
    for (const id of queued) outcomes.push((await matchOf(tenant.apiKey, id)).outcome);
    expect(outcomes).toEqual(["started", "pending"]);
    expect(usedOf(await usageOf(tenant.id), "max_queued_starts")).toBe(1);

    // below the bound again: a new start is queued behind the waiting one
    const later = await ping(tenant.apiKey, 4);
    await tried(tenant.id, tenant.apiKey, later, 2);
    expect((await matchOf(tenant.apiKey, later)).outcome).toBe("pending");
    expect(usedOf(await usageOf(tenant.id), "max_queued_starts")).toBe(2);
  });
});
