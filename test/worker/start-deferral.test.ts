/**
 * Issue 16: a busy tenant leaves new runs to the alarm's drain (`tenant/start-deferral.ts`). A
 * start left there is stored due at once, with the event, so the alarm (armed for now) starts it
 * with the id the 202 named; a burst of concurrent deliveries, some started at once and some
 * drained, ends in exactly one run per delivery.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordEvent } from "../../durable-objects/tenant/event-intake.ts";
import { DEFER_STARTS_ABOVE, startDeferralOf } from "../../durable-objects/tenant/start-deferral.ts";
import { listSubscriptions } from "../../durable-objects/tenant/subscription-store.ts";
import { newTenant } from "./support/clients.ts";
import { eventLog, HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";
import { inspectRun, tenantObject } from "./support/runs.ts";

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

const ON_HOOK = `name: "ops:hooked"
description: "One run per signed delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/burst"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "pong"
    type: "user_message"
    message: "pong"
`;

async function pendingRows(tenant: string): Promise<{ run_id: string; next_attempt_at: number }[]> {
  return runInDurableObject(tenantObject(tenant), (_instance, state) =>
    state.storage.sql
      .exec<{ run_id: string; next_attempt_at: number }>("SELECT run_id, next_attempt_at FROM pending_starts")
      .toArray(),
  );
}

describe("run starts left to the alarm's drain", () => {
  it("defers only once enough starts are in flight, and never when switched off", () => {
    const on = startDeferralOf(undefined);
    expect(on.defer(0)).toBe(false);
    expect(on.defer(DEFER_STARTS_ABOVE - 1)).toBe(false);
    expect(on.defer(DEFER_STARTS_ABOVE)).toBe(true);
    expect(startDeferralOf("off").defer(1_000)).toBe(false);
  });

  it("a deferred start is stored due now and the alarm starts it with the promised run id", async () => {
    const { id, apiKey } = await newTenant("deferral");
    await publish(apiKey, ON_PING);
    const runId = await runInDurableObject(tenantObject(id), async (_instance, state) => {
      const now = Date.now();
      const [stored] = listSubscriptions(state.storage.sql);
      const recorded = recordEvent(state.storage, {
        event: { id: "evt_deferred", type: "ping", source: "test", payload: { n: 3 }, receivedAt: now },
        matches: [{ subscription: stored!.subscription, inputs: {} }],
        now,
        allowRun: () => true,
        startsDueAt: now,
      });
      await state.storage.setAlarm(now);
      return recorded.answer.runs[0]!;
    });
    const [row] = await pendingRows(id);
    expect(row?.run_id).toBe(runId);

    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const [event] = await eventLog(apiKey, { event_id: "evt_deferred" });
    expect(event?.matches).toEqual([expect.objectContaining({ outcome: "started", workflow_id: runId })]);
    expect((await inspectRun(id, runId)).state.event).toMatchObject({
      id: "evt_deferred",
      payload: { n: 3 },
    });
    expect(await pendingRows(id)).toEqual([]);
  });

  it("a burst of concurrent deliveries ends in exactly one run per 202", async () => {
    const { id, apiKey } = await newTenant("deferral");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(apiKey, ON_HOOK);
    const count = DEFER_STARTS_ABOVE * 4;
    const answers = await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const body = JSON.stringify({ n });
        return postHook(
          id,
          "/burst",
          body,
          await sign("standard", HOOK_SECRET, body, { id: `msg_burst_${n}` }),
        );
      }),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    const runIds = answers.flatMap((answer) => answer.body.runs ?? []);
    expect(new Set(runIds).size).toBe(count);

    // whatever was left to the drain, the alarm starts (it re-arms at once while starts are due)
    for (let pass = 0; pass < 10 && (await pendingRows(id)).length > 0; pass++) {
      await runDurableObjectAlarm(tenantObject(id));
    }
    expect(await pendingRows(id)).toEqual([]);
    const started = (await eventLog(apiKey, { limit: 100 }))
      .flatMap((event) => event.matches)
      .filter((match) => match.outcome === "started")
      .map((match) => match.workflow_id);
    expect(started.sort()).toEqual([...runIds].sort());
    for (const runId of runIds) expect((await inspectRun(id, runId)).state.status).toBeDefined();
  }, 120_000);
});
