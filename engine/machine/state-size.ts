/**
 * @module
 * How big a run may grow. A thread's state (inputs, state, global and computed tiers, as JSON) is
 * measured at every write, so a loop that appends fails at the first write past the cap instead
 * of growing the isolate's memory; the whole checkpoint is measured once per transition. Both
 * caps keep a run's row under Cloudflare's 2 MB limit for a SQLite row, with room for the rest.
 * Exceeding either is `state.too_large`; a transition whose checkpoint would be too large leaves
 * the run failed from its last checkpoint instead (`failedFrom`). Sizes are UTF-8 bytes of the
 * JSON text. A run may carry a lower cap (`RunState.stateLimit`, a tenant's `max_state_bytes`
 * quota); the engine's cap is its ceiling.
 */
import { EngineError } from "../errors.ts";
import type { StateData } from "../state/state-data.ts";
import { failWholeRun } from "./failure.ts";
import type { RunState, Transition } from "./run-model.ts";

/** The most a thread's serialized state may hold: 1 MiB (its own limit, not the body or result limit). */
export const MAX_STATE_BYTES = 1024 * 1024;

/** The most a run's whole checkpoint (every thread, frames, pending steps) may hold: 1.5 MiB. */
export const MAX_CHECKPOINT_BYTES = 1.5 * 1024 * 1024;

/** UTF-8 bytes of `value` as JSON; encoded only when the text might be near `limit`. */
export function jsonBytes(value: unknown, limit: number): number {
  const text = JSON.stringify(value) ?? "";
  // a UTF-16 unit is at most 3 UTF-8 bytes: short text needs no encoding to be known small
  return text.length * 3 <= limit ? text.length : new TextEncoder().encode(text).length;
}

/**
 * Throws `state.too_large` when a thread's state is over `limit` (a run's `stateLimit`, never
 * above `MAX_STATE_BYTES`). `measured` hears the size first, even when it is over (measuring a
 * large state is work too).
 */
export function assertStateFits(
  data: StateData,
  measured?: (bytes: number) => void,
  limit: number = MAX_STATE_BYTES,
): void {
  const cap = Math.min(limit, MAX_STATE_BYTES);
  const bytes = jsonBytes(data, cap);
  measured?.(bytes);
  if (bytes > cap) {
    const which =
      cap < MAX_STATE_BYTES ? "this tenant's quota max_state_bytes" : "a run's state may hold at most";
    throw new EngineError(
      "state.too_large",
      `the state would be ${bytes} bytes as JSON; ${which} ${cap} bytes (keep large data in external storage)`,
    );
  }
}

/** The `state.too_large` error for a checkpoint over `MAX_CHECKPOINT_BYTES`, if it is. */
export function checkpointTooLarge(run: RunState): EngineError | undefined {
  const bytes = jsonBytes(run, MAX_CHECKPOINT_BYTES);
  if (bytes <= MAX_CHECKPOINT_BYTES) return undefined;
  return new EngineError(
    "state.too_large",
    `the run's checkpoint would be ${bytes} bytes; it may hold at most ${MAX_CHECKPOINT_BYTES} (every task's state, loop items and pending steps together)`,
  );
}

/**
 * `current` (the last checkpoint, which fit) failed with `error`: what a transition whose result
 * is too large to keep leaves behind. The run's bookkeeping (sequence, clock, work) is the new one.
 */
export function failedFrom(current: RunState, after: RunState, error: EngineError): Transition {
  const run = structuredClone(current);
  const shape = error.toJSON();
  run.seq = after.seq;
  run.updatedAt = after.updatedAt;
  if (after.work !== undefined) run.work = after.work;
  failWholeRun(run, shape, after.updatedAt);
  return { run, next: { status: "failed", error: shape } };
}
