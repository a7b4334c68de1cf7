/**
 * @module
 * How long an agent told to `wait` is asked to wait before it calls `workflow_get_next_step`
 * again, when no timer says exactly (a timer's wait is the time left on it). Every `wait`
 * answer carries one (`paceWait`), so an agent is never left to guess.
 */
import type { NextStep } from "./run-model.ts";

export const POLL_AFTER_MS = {
  /** an effect (`external_call`, `notify`) the runtime is performing: usually done within seconds */
  effect: 1_000,
  /** sub-agent tasks at work, or a task queued for a slot: agents take a while */
  tasks: 5_000,
  /** anything else that waits without a timer */
  other: 5_000,
} as const;

/** The answer, with `retryAfterMs` filled in for a `wait` that has none. */
export function paceWait(next: NextStep): NextStep {
  if (next.status !== "wait" || next.retryAfterMs !== undefined) return next;
  return { ...next, retryAfterMs: POLL_AFTER_MS.other };
}

/**
 * The answer, its `retryAfterMs` no later than the run's time limit (`deadlineAt`, if it has
 * one): a run that times out first is worth asking about then.
 */
export function capWaitAtDeadline(next: NextStep, deadlineAt: number | undefined, now: number): NextStep {
  if (next.status !== "wait" || next.retryAfterMs === undefined || deadlineAt === undefined) return next;
  const untilDeadline = Math.max(0, deadlineAt - now);
  return next.retryAfterMs <= untilDeadline ? next : { ...next, retryAfterMs: untilDeadline };
}
