/**
 * @module
 * One alarm, many timers: the RunDO's alarm is always armed for the earliest of `run.timers`
 * (wait steps, retry back-offs, step timeouts, a graph going on, a thread's next work slice,
 * paced) and of its graph's claim deadlines, or cleared when there are none or the run is over.
 * Pure: the DO applies the answer.
 */
import type { GraphRunState } from "../../engine/graph/index.ts";
import { nextWakeAt } from "../../engine/machine/index.ts";
import type { RunState } from "../../engine/machine/run-model.ts";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/**
 * How long a run that spent its work slice waits before its next one (its `continue` timer is due
 * at once; the alarm is set this much later). The isolate has one thread: every busy run's slice
 * stands in the queue in front of other requests, so each run leaves room between its slices.
 */
export const CONTINUE_PACE_MS = 250;

/**
 * When the alarm should fire next, or `null` for no alarm: the earliest timer, and at once while
 * an effect is outstanding (`run.effects`, finished runs included: a run-end notification) or
 * `extraDueAt` (the runtime's own work, e.g. an external-state write) is due.
 */
export function nextAlarmAt(run: RunState, graph?: GraphRunState, extraDueAt?: number): number | null {
  const effectsAt = earliest([...(run.effects ?? []).map((effect) => effect.requestedAt), extraDueAt]);
  const timersAt = timersDueAt(run, graph);
  return earliest([effectsAt ?? undefined, timersAt ?? undefined]);
}

/**
 * Whether the run has timers (or graph claim deadlines) for the alarm to fire: the machine takes
 * those due when it gets `{kind: "timers"}` (an alarm that fires early changes nothing else).
 */
export function hasTimers(run: RunState, graph: GraphRunState | undefined): boolean {
  return timersDueAt(run, graph) !== null;
}

function earliest(times: (number | undefined)[]): number | null {
  let found: number | null = null;
  for (const time of times) if (time !== undefined && (found === null || time < found)) found = time;
  return found;
}

function timersDueAt(run: RunState, graph?: GraphRunState): number | null {
  if (FINISHED.has(run.status)) return null;
  const wake = nextWakeAt(run, graph);
  if (wake === undefined) return null;
  const continuing = run.timers.some((timer) => timer.kind === "continue" && timer.at === wake);
  return continuing ? wake + CONTINUE_PACE_MS : wake;
}
