/**
 * @module
 * How long before an effect is tried again: the step's exponential backoff with "equal jitter"
 * (half the delay fixed, half spread by a hash of the idempotency key and the attempt, so the
 * machine stays pure and a replay computes the same delay), never sooner than the target's
 * `Retry-After` nor than 1 s, and at most 10 retries whatever `max_retries` says: a workflow
 * cannot turn the platform into a tight loop against someone's service. Pure.
 */

import { fnv1a32 } from "../events/jitter.ts";
import type { ErrorPolicy } from "../machine/step-types.ts";

/** Retries of one effect at most, whatever the step's `max_retries` says. */
export const MAX_EFFECT_RETRIES = 10;
/** The shortest wait before an effect is tried again, whatever the step's backoff says. */
export const MIN_EFFECT_RETRY_DELAY_MS = 1_000;

/** The step's error policy as it applies to an effect: `max_retries` capped. */
export function effectErrorPolicy(policy: ErrorPolicy | undefined): ErrorPolicy | undefined {
  if (policy?.max_retries === undefined || policy.max_retries <= MAX_EFFECT_RETRIES) return policy;
  return { ...policy, max_retries: MAX_EFFECT_RETRIES };
}

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
  return Math.max(jittered, hinted, MIN_EFFECT_RETRY_DELAY_MS);
}
