/**
 * @module
 * The durable count of runs this tenant started today (UTC), for `max_runs_per_day`: one entry in
 * the DO's synchronous KV, so it survives an eviction and is written with the start it counts.
 * A new day starts the count again.
 */
import { DAY_MS } from "./run-limits.ts";

const KEY = "quota:runs_started";

interface DailyCount {
  day: number;
  count: number;
}

/** Runs started on `now`'s UTC day. */
export function runsStartedToday(kv: SyncKvStorage, now: number): number {
  const stored = kv.get<DailyCount>(KEY);
  return stored !== undefined && stored.day === Math.floor(now / DAY_MS) ? stored.count : 0;
}

export function countRunStarted(kv: SyncKvStorage, now: number): void {
  kv.put(KEY, { day: Math.floor(now / DAY_MS), count: runsStartedToday(kv, now) + 1 } satisfies DailyCount);
}

/** Gives back a start counted at `now` that the run then refused (it never started). */
export function uncountRunStarted(kv: SyncKvStorage, now: number): void {
  const today = runsStartedToday(kv, now);
  if (today > 0) kv.put(KEY, { day: Math.floor(now / DAY_MS), count: today - 1 } satisfies DailyCount);
}
