/**
 * @module
 * How long before an effect is tried again: the step's exponential backoff with "equal jitter"
 * (half the delay fixed, half spread by a hash of the idempotency key and the attempt, so the
 * machine stays pure and a replay computes the same delay), and never sooner than the target's
 * `Retry-After`. Pure.
 */
import { fnv1a32 } from "../events/jitter.ts";

export interface RetryDelayInput {
  /** the step's backoff for this attempt, in ms (`backoffSeconds` × 1000) */
  backoffMs: number;
  idempotencyKey: string;
  attempt: number;
  /** the target's `Retry-After` hint, in seconds */
  retryAfterSeconds?: number;
}

export function effectRetryDelayMs(input: RetryDelayInput): number {
  const half = input.backoffMs / 2;
  const spread = fnv1a32(`${input.idempotencyKey}#${input.attempt}`) / 0x1_0000_0000;
  const jittered = Math.round(half + spread * half);
  const hinted = Math.max(0, (input.retryAfterSeconds ?? 0) * 1000);
  return Math.max(jittered, hinted);
}
