/**
 * @module
 * One alarm, many timers: the RunDO's alarm is always armed for the earliest of `run.timers`
 * (wait steps, retry back-offs, step timeouts), or cleared when there are none or the run is
 * over. Pure: the DO applies the answer.
 */
import type { RunState } from "../../engine/machine/types.ts";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** When the alarm should fire next, or `null` for no alarm. */
export function nextAlarmAt(run: RunState): number | null {
  if (FINISHED.has(run.status)) return null;
  let earliest: number | null = null;
  for (const timer of run.timers) {
    if (earliest === null || timer.at < earliest) earliest = timer.at;
  }
  return earliest;
}
