/**
 * Cron schedules with a controlled clock: validation, fires on time and exactly once across a
 * simulated restart, the three catch-up policies after downtime, deterministic jitter, and what
 * happens on daylight-saving days in America/New_York.
 */
import { describe, expect, it } from "vitest";
import {
  type DueFiresOptions,
  dueFires,
  nextFireTimes,
  type ScheduleSpec,
  validateSchedule,
} from "../../../engine/events/cron.ts";
import { jitterOffsetMs } from "../../../engine/events/jitter.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const SIX_HOURLY: ScheduleSpec = { id: "ops:report#triggers[1]", cron: "0 */6 * * *" };
const iso = (time: number) => new Date(time).toISOString();

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("validation", () => {
  it.each([
    ["four fields", "* * * *"],
    ["seven fields (years are not supported)", "0 0 0 1 1 * 2030"],
    ["minute 61", "61 * * * *"],
    ["an empty expression", "  "],
    ["a word", "every day"],
    ["a date that never comes", "0 0 30 2 *"],
  ])("refuses %s as schedule.bad_cron", (_name, cron) => {
    expect(codeOf(() => validateSchedule({ id: "s", cron }))).toBe("schedule.bad_cron");
  });

  it("says why in the message", () => {
    expect(() => validateSchedule({ id: "s", cron: "61 * * * *" })).toThrow(/minute: 61/);
    expect(() => validateSchedule({ id: "s", cron: "0 0 30 2 *" })).toThrow(/never fires/);
  });

  it.each(["0 */6 * * *", "30 2 * * 1-5", "*/10 * * * * *", "@daily", "0 9 * JAN,JUL MON"])(
    "accepts %s",
    (cron) => {
      expect(() => validateSchedule({ id: "s", cron })).not.toThrow();
    },
  );

  it("refuses an unknown time zone as schedule.bad_timezone, naming good ones", () => {
    expect(codeOf(() => validateSchedule({ id: "s", cron: "* * * * *", timezone: "Mars/Olympus" }))).toBe(
      "schedule.bad_timezone",
    );
    expect(() => validateSchedule({ id: "s", cron: "* * * * *", timezone: "EST5EDTX" })).toThrow(/IANA/);
    expect(() => validateSchedule({ id: "s", cron: "* * * * *", timezone: "Europe/Paris" })).not.toThrow();
  });

  it("refuses negative or huge jitter, and bad catch-up options", () => {
    expect(codeOf(() => validateSchedule({ id: "s", cron: "* * * * *", jitterSeconds: -1 }))).toBe(
      "schedule.bad_jitter",
    );
    expect(codeOf(() => validateSchedule({ id: "s", cron: "* * * * *", jitterSeconds: 1e9 }))).toBe(
      "schedule.bad_jitter",
    );
    const options: DueFiresOptions = { lastFiredAt: T0, now: T0, catchup: "sometimes" as "all" };
    expect(codeOf(() => dueFires(SIX_HOURLY, options))).toBe("schedule.bad_catchup");
    expect(codeOf(() => dueFires(SIX_HOURLY, { lastFiredAt: T0, now: T0, maxCatchup: 0 }))).toBe(
      "schedule.bad_catchup",
    );
  });
});

describe("nextFireTimes", () => {
  it("lists nominal times strictly after the instant", () => {
    expect(nextFireTimes("0 */6 * * *", { after: T0, count: 3 }).map(iso)).toEqual([
      "2026-01-01T06:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
      "2026-01-01T18:00:00.000Z",
    ]);
  });

  it("reads the fields in the schedule's time zone", () => {
    expect(nextFireTimes("0 9 * * *", { after: T0, count: 1, timezone: "Europe/Paris" }).map(iso)).toEqual([
      "2026-01-01T08:00:00.000Z",
    ]);
    expect(
      nextFireTimes("0 9 * * *", { after: Date.UTC(2026, 6, 1), count: 1, timezone: "Europe/Paris" }).map(
        iso,
      ),
    ).toEqual(["2026-07-01T07:00:00.000Z"]);
  });

  it("supports seconds as a sixth field", () => {
    expect(nextFireTimes("*/20 * * * * *", { after: T0, count: 3 }).map(iso)).toEqual([
      "2026-01-01T00:00:20.000Z",
      "2026-01-01T00:00:40.000Z",
      "2026-01-01T00:01:00.000Z",
    ]);
  });
});

describe("dueFires on time", () => {
  it("fires nothing before the due time and says when to wake", () => {
    const result = dueFires(SIX_HOURLY, { lastFiredAt: T0, now: T0 + 6 * HOUR - 1 });
    expect(result).toEqual({
      fires: [],
      skipped: { count: 0, countIsLowerBound: false },
      lastFiredAt: T0,
      nextFireAt: T0 + 6 * HOUR,
    });
  });

  it("fires exactly at the due time, and moves lastFiredAt and the next wake-up on", () => {
    const result = dueFires(SIX_HOURLY, { lastFiredAt: T0, now: T0 + 6 * HOUR });
    expect(result.fires).toEqual([
      {
        scheduleId: SIX_HOURLY.id,
        scheduledAt: T0 + 6 * HOUR,
        fireAt: T0 + 6 * HOUR,
        late: false,
        key: `${SIX_HOURLY.id}@2026-01-01T06:00:00.000Z`,
      },
    ]);
    expect(result.lastFiredAt).toBe(T0 + 6 * HOUR);
    expect(result.nextFireAt).toBe(T0 + 12 * HOUR);
  });

  it("counts a fire a few seconds late (a late alarm) as on time", () => {
    const [fire] = dueFires(SIX_HOURLY, {
      lastFiredAt: T0,
      now: T0 + 6 * HOUR + 30_000,
      catchup: "none",
    }).fires;
    expect(fire).toMatchObject({ scheduledAt: T0 + 6 * HOUR, late: false });
  });

  it("fires once per due time across a simulated restart", () => {
    const options = { lastFiredAt: T0, now: T0 + 6 * HOUR + 1000 };
    const first = dueFires(SIX_HOURLY, options);
    // The process dies before storing the new lastFiredAt: the retry gives the same answer, the
    // same fire keys, so the runtime's dedup on the key sees one fire.
    const retried = dueFires(SIX_HOURLY, options);
    expect(retried).toEqual(first);
    // Once stored, the same wake-up (a duplicated alarm) fires nothing.
    const afterStore = dueFires(SIX_HOURLY, { ...options, lastFiredAt: first.lastFiredAt });
    expect(afterStore.fires).toEqual([]);
    expect(afterStore.nextFireAt).toBe(first.nextFireAt);
  });
});

describe("catch-up after downtime", () => {
  // Down from 00:00 to 01:00 the next day: 06:00, 12:00, 18:00 and 00:00 were missed.
  const options = { lastFiredAt: T0, now: T0 + 25 * HOUR };

  it("latest: fires once, for the most recent missed time, and skips the rest", () => {
    const result = dueFires(SIX_HOURLY, { ...options, catchup: "latest" });
    expect(result.fires.map((fire) => [iso(fire.scheduledAt), fire.late])).toEqual([
      ["2026-01-02T00:00:00.000Z", true],
    ]);
    expect(result.skipped).toEqual({
      count: 3,
      countIsLowerBound: false,
      earliest: T0 + 6 * HOUR,
      latest: T0 + 18 * HOUR,
    });
    expect(result.lastFiredAt).toBe(T0 + 24 * HOUR);
    expect(result.nextFireAt).toBe(T0 + 30 * HOUR);
  });

  it("all: fires every missed time, oldest first", () => {
    const result = dueFires(SIX_HOURLY, { ...options, catchup: "all" });
    expect(result.fires.map((fire) => iso(fire.scheduledAt))).toEqual([
      "2026-01-01T06:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
      "2026-01-01T18:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
    ]);
    expect(result.skipped.count).toBe(0);
  });

  it("all: keeps only the most recent maxCatchup fires", () => {
    const result = dueFires(SIX_HOURLY, { ...options, catchup: "all", maxCatchup: 2 });
    expect(result.fires.map((fire) => iso(fire.scheduledAt))).toEqual([
      "2026-01-01T18:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
    ]);
    expect(result.skipped).toMatchObject({ count: 2, earliest: T0 + 6 * HOUR, latest: T0 + 12 * HOUR });
  });

  it("none: skips every missed time and waits for the next one", () => {
    const result = dueFires(SIX_HOURLY, { ...options, catchup: "none" });
    expect(result.fires).toEqual([]);
    expect(result.skipped.count).toBe(4);
    expect(result.lastFiredAt).toBe(T0 + 24 * HOUR);
    expect(result.nextFireAt).toBe(T0 + 30 * HOUR);
  });

  it("none: still fires a due time that is within the grace period", () => {
    const result = dueFires(SIX_HOURLY, { lastFiredAt: T0, now: T0 + 24 * HOUR + 10_000, catchup: "none" });
    expect(result.fires.map((fire) => iso(fire.scheduledAt))).toEqual(["2026-01-02T00:00:00.000Z"]);
    expect(result.skipped.count).toBe(3);
  });

  it("stays cheap after a very long downtime, counting skips only up to a bound", () => {
    const everyMinute: ScheduleSpec = { id: "m", cron: "* * * * *" };
    const result = dueFires(everyMinute, { lastFiredAt: T0, now: T0 + 365 * 24 * HOUR, catchup: "latest" });
    expect(result.fires).toHaveLength(1);
    expect(result.skipped).toMatchObject({ count: 100, countIsLowerBound: true, earliest: T0 + MINUTE });
    expect(result.skipped.latest).toBe(T0 + 365 * 24 * HOUR - MINUTE);
  });
});

describe("jitter", () => {
  const jittered: ScheduleSpec = { ...SIX_HOURLY, jitterSeconds: 300 };
  const offset = jitterOffsetMs(jittered.id, 300);

  it("is a fixed offset below the jitter, the same on every call and restart", () => {
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(300_000);
    expect(jitterOffsetMs(jittered.id, 300)).toBe(offset);
  });

  it("spreads different schedules", () => {
    const offsets = new Set(Array.from({ length: 50 }, (_, i) => jitterOffsetMs(`wf:${i}#triggers[0]`, 300)));
    expect(offsets.size).toBeGreaterThan(45);
  });

  it("delays the due time by the offset, keeping the nominal time in the key", () => {
    const due = T0 + 6 * HOUR + offset;
    expect(dueFires(jittered, { lastFiredAt: T0, now: due - 1 }).fires).toEqual([]);
    expect(dueFires(jittered, { lastFiredAt: T0, now: due - 1 }).nextFireAt).toBe(due);
    const [fire] = dueFires(jittered, { lastFiredAt: T0, now: due }).fires;
    expect(fire).toMatchObject({
      scheduledAt: T0 + 6 * HOUR,
      fireAt: due,
      key: `${jittered.id}@2026-01-01T06:00:00.000Z`,
    });
  });

  it("is zero without jitter", () => {
    expect(jitterOffsetMs("anything", undefined)).toBe(0);
    expect(jitterOffsetMs("anything", 0)).toBe(0);
  });
});

/** Drives a schedule like the TenantDO's alarm: wake at nextFireAt (+ delay), store lastFiredAt. */
function runAlarm(schedule: ScheduleSpec, from: number, until: number, delayMs = 0): number[] {
  const fired: number[] = [];
  let lastFiredAt = from;
  let wake = dueFires(schedule, { lastFiredAt, now: from }).nextFireAt;
  while (wake !== undefined && wake + delayMs <= until) {
    const result = dueFires(schedule, { lastFiredAt, now: wake + delayMs });
    fired.push(...result.fires.map((fire) => fire.fireAt));
    lastFiredAt = result.lastFiredAt;
    wake = result.nextFireAt;
  }
  return fired;
}

describe("daylight saving in America/New_York", () => {
  const NY = "America/New_York";

  it("spring forward (2025-03-09): '30 2 * * *' has no 02:30, so it fires once at 03:00 EDT", () => {
    const schedule = { id: "dst-spring", cron: "30 2 * * *", timezone: NY };
    const fired = runAlarm(schedule, Date.UTC(2025, 2, 8, 12), Date.UTC(2025, 2, 11, 12), 2000);
    expect(fired.map(iso)).toEqual([
      "2025-03-09T07:00:00.000Z", // 03:00 EDT: the first instant after the gap
      "2025-03-10T06:30:00.000Z", // 02:30 EDT
      "2025-03-11T06:30:00.000Z",
    ]);
  });

  it("fall back (2025-11-02): '0 1 * * *' meets 01:00 twice and fires once, at the first (EDT)", () => {
    const schedule = { id: "dst-fall", cron: "0 1 * * *", timezone: NY };
    const fired = runAlarm(schedule, Date.UTC(2025, 10, 1, 12), Date.UTC(2025, 10, 4, 12), 2000);
    expect(fired.map(iso)).toEqual([
      "2025-11-02T05:00:00.000Z", // 01:00 EDT; 01:00 EST (06:00Z) does not fire again
      "2025-11-03T06:00:00.000Z", // 01:00 EST
      "2025-11-04T06:00:00.000Z",
    ]);
  });

  it("fall back: an interval job follows elapsed time and fires in both 01:xx hours", () => {
    const schedule = { id: "dst-interval", cron: "*/30 1 * * *", timezone: NY };
    const fired = runAlarm(schedule, Date.UTC(2025, 10, 2, 4), Date.UTC(2025, 10, 2, 8));
    expect(fired.map(iso)).toEqual([
      "2025-11-02T05:00:00.000Z", // 01:00 EDT
      "2025-11-02T05:30:00.000Z", // 01:30 EDT
      "2025-11-02T06:00:00.000Z", // 01:00 EST
      "2025-11-02T06:30:00.000Z", // 01:30 EST
    ]);
  });

  it("spring forward: an interval job skips the missing hour", () => {
    const schedule = { id: "dst-interval-spring", cron: "*/30 * * * *", timezone: NY };
    const fired = runAlarm(schedule, Date.UTC(2025, 2, 9, 6, 15), Date.UTC(2025, 2, 9, 7, 45));
    expect(fired.map(iso)).toEqual([
      "2025-03-09T06:30:00.000Z", // 01:30 EST
      "2025-03-09T07:00:00.000Z", // 03:00 EDT (02:00 and 02:30 do not exist)
      "2025-03-09T07:30:00.000Z",
    ]);
  });

  it("a missed fall-back fire is caught up by 'latest' like any other", () => {
    const schedule = { id: "dst-fall", cron: "0 1 * * *", timezone: NY };
    const result = dueFires(schedule, {
      lastFiredAt: Date.UTC(2025, 10, 1, 12),
      now: Date.UTC(2025, 10, 2, 12),
      catchup: "latest",
    });
    expect(result.fires.map((fire) => iso(fire.scheduledAt))).toEqual(["2025-11-02T05:00:00.000Z"]);
  });
});
