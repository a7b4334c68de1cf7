/**
 * A 2xx for an event always ends in the runs it names: the event, its log and one pending-start
 * row per run are stored together, and whatever a crash leaves pending the TenantDO's alarm
 * starts later, once (a run that did start before the crash is recognised by its pre-minted id).
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { recordEvent } from "../../durable-objects/tenant/event-intake.ts";
import { insertPendingStart } from "../../durable-objects/tenant/pending-starts.ts";
import { listSubscriptions } from "../../durable-objects/tenant/subscription-store.ts";
import { newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish, settledEvent } from "./support/events.ts";
import { inspectRun, tenantObject } from "./support/runs.ts";

afterEach(() => {
  vi.useRealTimers();
});

function advanceClock(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

const ON_PING = `name: "ops:ping"
description: "Answers pings"
version: "1.0.0"
triggers:
  - type: event
    event_type: "ping"
steps:
  - id: "pong"
    type: "user_message"
    message: "pong {{ event.payload.n }}"
`;

/** What a crash right after the intake transaction leaves: the rows, the alarm, no run. */
async function storeWithoutStarting(tenant: string, eventId: string): Promise<string> {
  return runInDurableObject(tenantObject(tenant), async (_instance, state) => {
    const now = Date.now();
    const [stored] = listSubscriptions(state.storage.sql);
    const recorded = recordEvent(state.storage, {
      event: { id: eventId, type: "ping", source: "test", payload: { n: 7 }, receivedAt: now },
      matches: [{ subscription: stored!.subscription, inputs: {} }],
      now,
      allowRun: () => true,
    });
    await state.storage.setAlarm(now + 15_000);
    return recorded.answer.runs[0]!;
  });
}

describe("pending starts", () => {
  it("a 202 with runs leaves the alarm armed to re-drive them", async () => {
    const { id, apiKey } = await newTenant("pending");
    await publish(apiKey, ON_PING);
    const before = Date.now();
    const res = await postEvent(apiKey, { type: "ping", payload: { n: 1 } });
    expect(res.body.runs).toHaveLength(1);
    await settledEvent(apiKey, res.body.event_id!);
    const alarm = await runInDurableObject(tenantObject(id), (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(before + 16_000);
  });

  it("a start lost in a crash is made by the alarm, with the promised run id", async () => {
    const { id, apiKey } = await newTenant("pending");
    await publish(apiKey, ON_PING);
    const runId = await storeWithoutStarting(id, "evt_crashed");
    await evictDurableObject(tenantObject(id));
    expect((await eventLog(apiKey, { event_id: "evt_crashed" }))[0]?.matches).toEqual([
      expect.objectContaining({ outcome: "pending", workflow_id: runId }),
    ]);

    advanceClock(16_000);
    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const [event] = await eventLog(apiKey, { event_id: "evt_crashed" });
    expect(event?.matches).toEqual([expect.objectContaining({ outcome: "started", workflow_id: runId })]);
    const run = await inspectRun(id, runId);
    expect(run.state.event).toMatchObject({ id: "evt_crashed", n: 7, payload: { n: 7 } });
  });

  it("a start that landed before the crash is not made twice", async () => {
    const { id, apiKey } = await newTenant("pending");
    await publish(apiKey, ON_PING);
    const res = await postEvent(apiKey, { type: "ping", id: "evt_twice", payload: { n: 2 } });
    const runId = res.body.runs![0]!;
    await settledEvent(apiKey, "evt_twice");
    const started = await inspectRun(id, runId);
    // The run exists, but the crash lost the row's deletion and the log update.
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      insertPendingStart(state.storage.sql, {
        runId,
        eventId: "evt_twice",
        position: 0,
        workflow: "ops:ping",
        inputs: {},
        attempts: 0,
        nextAttemptAt: Date.now(),
      });
      state.storage.sql.exec("UPDATE event_log SET outcome = 'pending' WHERE event_id = 'evt_twice'");
    });
    await runDurableObjectAlarm(tenantObject(id));
    const [event] = await eventLog(apiKey, { event_id: "evt_twice" });
    expect(event?.matches).toEqual([expect.objectContaining({ outcome: "started", workflow_id: runId })]);
    expect((await inspectRun(id, runId)).state).toEqual(started.state);
  });
});
