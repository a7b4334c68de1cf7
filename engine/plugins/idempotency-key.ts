/**
 * @module
 * The idempotency key of an effect: `<run id>:<task id or main>:<step id>:<position>`. The
 * position is the iteration of every loop around the step, outermost first (`0` outside any
 * loop; `3` in the third pass of a loop; `2.1` in a nested one), so a retry of the step at one
 * position sends the same key and another iteration, task or run a different one. Pure.
 */

export interface KeyPlace {
  runId: string;
  threadId: string;
  stepId: string;
  /** the iteration of each enclosing loop, outermost first */
  iterations: readonly number[];
}

export function idempotencyKeyOf(place: KeyPlace): string {
  const position = place.iterations.length === 0 ? "0" : place.iterations.join(".");
  return `${place.runId}:${place.threadId}:${place.stepId}:${position}`;
}
