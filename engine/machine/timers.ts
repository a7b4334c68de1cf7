/**
 * @module
 * Timers are rows in `run.timers`; the runtime arms one alarm for the earliest. Ids are
 * deterministic so replaying a transition yields the same timers.
 */
import { type GraphRunState, nextDeadline } from "../graph/index.ts";
import type { RunState, Timer } from "./run-model.ts";

export function addTimer(run: RunState, timer: Omit<Timer, "id">): Timer {
  const full: Timer = { id: `${timer.threadId}:${timer.stepId}:${timer.kind}:${run.seq}`, ...timer };
  run.timers.push(full);
  return full;
}

export function removeTimers(run: RunState, match: (timer: Timer) => boolean): void {
  run.timers = run.timers.filter((timer) => !match(timer));
}

/** Timers due at `now` (of those `match` picks), earliest first (ties in creation order). */
export function takeDueTimers(
  run: RunState,
  now: number,
  match: (timer: Timer) => boolean = () => true,
): Timer[] {
  const isTaken = (timer: Timer) => timer.at <= now && match(timer);
  const due = run.timers.filter(isTaken).sort((a, b) => a.at - b.at);
  if (due.length > 0) removeTimers(run, isTaken);
  return due;
}

/**
 * When the runtime should wake next, or undefined when nothing is scheduled: the earliest timer
 * or, while the run's graph runs, the earliest deadline of a claimed task (pass its records).
 */
export function nextWakeAt(run: RunState, graph?: GraphRunState): number | undefined {
  let earliest: number | undefined;
  for (const timer of run.timers) if (earliest === undefined || timer.at < earliest) earliest = timer.at;
  if (graph !== undefined && run.graph?.status === "running") {
    const deadline = nextDeadline(graph);
    if (deadline !== undefined && (earliest === undefined || deadline < earliest)) earliest = deadline;
  }
  return earliest;
}
