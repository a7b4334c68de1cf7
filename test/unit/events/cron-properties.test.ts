/**
 * Property tests for dueFires: driven by any sequence of wake-ups (alarms on time, late, or after
 * long downtime) and feeding back the lastFiredAt it returns, it never returns a due time twice,
 * fires only real cron times that are due, answers the same when asked again (a restart), and
 * with `catchup: all` fires every due time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CatchupPolicy,
  dueFires,
  nextFireTimes,
  type ScheduleSpec,
} from "../../../engine/events/cron.ts";

const HOUR = 3_600_000;
const schedules = fc.record({
  id: fc.string({ minLength: 1, maxLength: 12 }),
  cron: fc.constantFrom(
    "0 */6 * * *",
    "*/15 * * * *",
    "30 2 * * *",
    "0 1 * * *",
    "0 9 * * 1-5",
    "30 */10 * * * *",
  ),
  timezone: fc.constantFrom("UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata"),
  jitterSeconds: fc.constantFrom(0, 30, 600),
});
const policies = fc.constantFrom<CatchupPolicy>("latest", "all", "none");
/** Gaps between wake-ups: mostly short, sometimes a long outage. */
const steps = fc.array(
  fc.oneof(fc.integer({ min: 0, max: HOUR }), fc.integer({ min: 0, max: 4 * 24 * HOUR })),
  {
    minLength: 1,
    maxLength: 12,
  },
);
/** Around the 2025 DST transitions in both hemispheres, and a plain stretch. */
const starts = fc.constantFrom(
  Date.UTC(2025, 2, 7),
  Date.UTC(2025, 3, 4),
  Date.UTC(2025, 9, 3),
  Date.UTC(2025, 10, 1),
  Date.UTC(2026, 0, 10),
);

describe("dueFires properties", () => {
  it("never returns a due time twice, fires only due cron times, and is stable across restarts", () => {
    fc.assert(
      fc.property(schedules, policies, starts, steps, (schedule: ScheduleSpec, catchup, start, gaps) => {
        let lastFiredAt = start;
        let now = start;
        const seen = new Set<number>();
        let previous = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          now += gap;
          const options = { lastFiredAt, now, catchup, maxCatchup: 50 };
          const result = dueFires(schedule, options);
          expect(dueFires(schedule, options)).toEqual(result);
          for (const fire of result.fires) {
            expect(seen.has(fire.scheduledAt)).toBe(false);
            seen.add(fire.scheduledAt);
            expect(fire.scheduledAt).toBeGreaterThan(previous);
            previous = fire.scheduledAt;
            expect(fire.scheduledAt).toBeGreaterThan(lastFiredAt);
            expect(fire.fireAt).toBeLessThanOrEqual(now);
            const [same] = nextFireTimes(schedule.cron, {
              timezone: schedule.timezone,
              after: fire.scheduledAt - 1,
              count: 1,
            });
            expect(same).toBe(fire.scheduledAt);
          }
          expect(result.lastFiredAt).toBeGreaterThanOrEqual(lastFiredAt);
          if (result.nextFireAt !== undefined) expect(result.nextFireAt).toBeGreaterThan(now);
          lastFiredAt = result.lastFiredAt;
        }
      }),
      { numRuns: 60 },
    );
  });

  it("with catchup: all (and a cap never reached) fires exactly the due cron times", () => {
    fc.assert(
      fc.property(
        schedules,
        starts,
        fc.array(fc.integer({ min: 0, max: 2 * HOUR }), { minLength: 1, maxLength: 12 }),
        (schedule, start, gaps) => {
          let lastFiredAt = start;
          let now = start;
          const fired: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const result = dueFires(schedule, { lastFiredAt, now, catchup: "all", maxCatchup: 1000 });
            fired.push(...result.fires.map((fire) => fire.scheduledAt));
            lastFiredAt = result.lastFiredAt;
          }
          const offset =
            (dueFires(schedule, { lastFiredAt: start, now: start }).nextFireAt ?? 0) -
            (nextFireTimes(schedule.cron, { timezone: schedule.timezone, after: start, count: 1 })[0] ?? 0);
          const expected = nextFireTimes(schedule.cron, {
            timezone: schedule.timezone,
            after: start,
            count: 2000,
          }).filter((time) => time + offset <= now);
          expect(fired).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
