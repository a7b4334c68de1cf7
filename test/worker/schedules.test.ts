/**
 * Schedules on the TenantDO's one alarm, driven by runDurableObjectAlarm with a fake clock
 * (Date is shared by the test and the DOs in the vitest pool; nothing sleeps): a fire on time,
 * exactly once (a second alarm, an eviction), catch-up after downtime (latest, all, none), and
 * daylight-saving days in America/New_York.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { type EventView, eventLog, publish } from "./support/events.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** Fake times lie in the future: workerd clamps an alarm set in the (real) past to the real now. */
function setClock(iso: string): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(iso));
}

function tenantObject(id: string): DurableObjectStub {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(id));
}

async function armedAlarm(id: string): Promise<string | null> {
  const at = await runInDurableObject(tenantObject(id), (_instance, state) => state.storage.getAlarm());
  return at === null ? null : new Date(at).toISOString();
}

function scheduled(cron: string, extra = ""): string {
  return `name: "cron:job"
description: "Runs on a schedule"
version: "1.0.0"
triggers:
  - id: tick
    type: schedule
    cron: "${cron}"
${extra}
steps:
  - id: "say"
    type: "user_message"
    message: "tick at {{ event.scheduled_at }}"
`;
}

async function fires(apiKey: string): Promise<EventView[]> {
  return (await eventLog(apiKey, { type: "schedule" })).filter((event) => event.status === "accepted");
}

function scheduledTimes(events: EventView[]): string[] {
  return events.map((event) => event.event_id.replace(/^schedule:cron:job#tick@/, "")).sort();
}

describe("schedules", () => {
  it("fires on time, exactly once, also across an eviction", async () => {
    setClock("2030-01-15T12:01:00Z");
    const { id, apiKey } = await newTenant("cron");
    await publish(apiKey, scheduled("*/5 * * * *"));
    expect(await armedAlarm(id)).toBe("2030-01-15T12:05:00.000Z");

    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true); // early: nothing is due
    expect(await fires(apiKey)).toEqual([]);

    setClock("2030-01-15T12:05:00.400Z");
    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const [first, ...others] = await fires(apiKey);
    expect(others).toEqual([]);
    expect(first).toMatchObject({
      event_id: "schedule:cron:job#tick@2030-01-15T12:05:00.000Z",
      source: "cron:job#tick",
      matches: [{ workflow: "cron:job", outcome: "started" }],
    });
    expect(await armedAlarm(id)).toBe("2030-01-15T12:10:00.000Z");
    const runId = first!.matches[0]!.workflow_id!;
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({
        definition: expect.objectContaining({ message: "tick at 2030-01-15T12:05:00.000Z" }),
      }),
    ]);

    // The alarm again, and again after an eviction: nothing fires twice.
    await runDurableObjectAlarm(tenantObject(id));
    await evictDurableObject(tenantObject(id));
    await runDurableObjectAlarm(tenantObject(id));
    expect(await fires(apiKey)).toHaveLength(1);

    setClock("2030-01-15T12:10:01Z");
    await evictDurableObject(tenantObject(id));
    await runDurableObjectAlarm(tenantObject(id));
    expect(scheduledTimes(await fires(apiKey))).toEqual([
      "2030-01-15T12:05:00.000Z",
      "2030-01-15T12:10:00.000Z",
    ]);
  });

  it("lists the schedule with its next fire time", async () => {
    setClock("2030-01-15T12:01:00Z");
    const { apiKey } = await newTenant("cron");
    await publish(apiKey, scheduled("0 9 * * 1-5", '    timezone: "Europe/Paris"\n'));
    const listed = await callTool(apiKey, "workflow_list_subscriptions", { workflow: "cron:job" });
    expect(listed.structured.subscriptions).toEqual([
      expect.objectContaining({
        subscription_id: "cron:job#tick",
        origin: "trigger",
        trigger: expect.objectContaining({ type: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Paris" }),
        schedule: { next_fire_at: "2030-01-16T08:00:00.000Z", last_fired_at: "2030-01-15T12:01:00.000Z" },
      }),
    ]);
  });

  it.each([
    ["latest", "", ["2030-01-15T13:00:00.000Z"], 11],
    [
      "all",
      "    catchup: all\n    max_catchup: 3\n",
      ["12:50", "12:55", "13:00"].map((t) => `2030-01-15T${t}:00.000Z`),
      9,
    ],
    ["none", "    catchup: none\n", [], 12],
  ] as const)("after an hour of downtime, catchup %s", async (_policy, extra, expected, skipped) => {
    setClock("2030-01-15T12:01:00Z");
    const { id, apiKey } = await newTenant("cron");
    await publish(apiKey, scheduled("*/5 * * * *", extra));
    setClock("2030-01-15T13:02:30Z");
    await runDurableObjectAlarm(tenantObject(id));
    const fired = await fires(apiKey);
    expect(scheduledTimes(fired)).toEqual(expected);
    const skip = (await eventLog(apiKey, { status: "skipped" }))[0];
    expect(skip?.detail).toMatchObject({ count: skipped });
    expect(await armedAlarm(id)).toBe("2030-01-15T13:05:00.000Z");
  });

  it("spring forward in New York: 02:30 does not exist, so it fires once at 03:00 EDT", async () => {
    setClock("2030-03-10T06:00:00Z"); // 01:00 EST
    const { id, apiKey } = await newTenant("dst");
    await publish(apiKey, scheduled("30 2 * * *", '    timezone: "America/New_York"\n'));
    expect(await armedAlarm(id)).toBe("2030-03-10T07:00:00.000Z"); // 03:00 EDT
    setClock("2030-03-10T07:00:00.500Z");
    await runDurableObjectAlarm(tenantObject(id));
    expect(scheduledTimes(await fires(apiKey))).toEqual(["2030-03-10T07:00:00.000Z"]);
    expect(await armedAlarm(id)).toBe("2030-03-11T06:30:00.000Z"); // 02:30 EDT
  });

  it("fall back in New York: 01:00 happens twice and fires once", async () => {
    setClock("2030-11-03T04:00:00Z"); // 00:00 EDT
    const { id, apiKey } = await newTenant("dst");
    await publish(apiKey, scheduled("0 1 * * *", '    timezone: "America/New_York"\n'));
    expect(await armedAlarm(id)).toBe("2030-11-03T05:00:00.000Z"); // 01:00 EDT
    setClock("2030-11-03T05:00:01Z");
    await runDurableObjectAlarm(tenantObject(id));
    setClock("2030-11-03T06:00:01Z"); // 01:00 EST, the second 01:00
    await runDurableObjectAlarm(tenantObject(id));
    expect(scheduledTimes(await fires(apiKey))).toEqual(["2030-11-03T05:00:00.000Z"]);
    expect(await armedAlarm(id)).toBe("2030-11-04T06:00:00.000Z");
  });

  it("a new version with the same cron keeps the schedule's history; another cron starts afresh", async () => {
    setClock("2030-01-15T12:01:00Z");
    const { id, apiKey } = await newTenant("cron");
    await publish(apiKey, scheduled("*/5 * * * *"));
    setClock("2030-01-15T12:05:01Z");
    await runDurableObjectAlarm(tenantObject(id));
    await publish(apiKey, scheduled("*/5 * * * *").replace('"1.0.0"', '"1.1.0"'));
    expect(await armedAlarm(id)).toBe("2030-01-15T12:10:00.000Z");
    await runDurableObjectAlarm(tenantObject(id));
    expect(await fires(apiKey)).toHaveLength(1);
    await publish(apiKey, scheduled("0 * * * *").replace('"1.0.0"', '"1.2.0"'));
    expect(await armedAlarm(id)).toBe("2030-01-15T13:00:00.000Z");
    await publish(apiKey, scheduled("0 * * * *", "    enabled: false\n").replace('"1.0.0"', '"1.3.0"'));
    expect(await armedAlarm(id)).not.toBe("2030-01-15T13:00:00.000Z");
  });
});
