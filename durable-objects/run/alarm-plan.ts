/**
 * @module
 * One alarm, many timers: the RunDO's alarm is always armed for the earliest of `run.timers`
 * (wait steps, retry back-offs, step timeouts, a graph going on) and of its graph's claim
 * deadlines, or cleared when there are none or the run is over. Pure: the DO applies the answer.
 */
import type { GraphRunState } from "../../engine/graph/index.ts";
import { nextWakeAt } from "../../engine/machine/index.ts";
import type { RunState } from "../../engine/machine/types.ts";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** When the alarm should fire next, or `null` for no alarm. */
export function nextAlarmAt(run: RunState, graph?: GraphRunState): number | null {
  if (FINISHED.has(run.status)) return null;
  return nextWakeAt(run, graph) ?? null;
}
