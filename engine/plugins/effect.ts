/**
 * @module
 * An effect: work the pure machine hands to the runtime because it acts on the world (an
 * `external_call`, a `notify`, a workflow's `on_complete`/`on_failure` notification). The machine
 * records it in the run's checkpoint (`RunState.effects`), the RunDO performs it outside any
 * transaction and feeds the `EffectOutcome` back as an `effect` event. Plain JSON.
 * Holds no secret: `auth` is the step's capability field as written (`{{ env.NAME }}` unresolved).
 */
import type { ErrorCode } from "../errors.ts";

/**
 * `call`/`notify`: a step waits for it; `run_end`: `on_complete`/`on_failure`; `state`: a write of
 * the run's state to its `external_state` backend (the runtime's own, never in `run.effects`).
 */
export type EffectKind = "call" | "notify" | "run_end" | "state";

export interface EffectIntent {
  /** Unique in the run: the idempotency key plus the attempt (`<key>#<attempt>`). */
  id: string;
  kind: EffectKind;
  /** `<run id>:<task id or main>:<step id>:<position>`: the same for every attempt at one position. */
  idempotencyKey: string;
  /** the thread that waits for it (`main`, a task id); `run` for a run-end notification */
  threadId: string;
  stepId: string;
  attempt: number;
  /** the service's name (`external_call.service`, `notify.channel`, `on_complete.channel`) */
  service: string;
  method: string;
  /** the step's params (templates evaluated), or for a notification `{message, title?}` */
  params: Record<string, unknown>;
  /** the step's `auth`, unresolved: resolved by the secret's holder at call time */
  auth?: Record<string, unknown>;
  /** the step's `timeout_seconds` for one call (the runtime's default applies without it) */
  timeoutSeconds?: number;
  /** when the machine handed it out (the runtime performs it at once) */
  requestedAt: number;
}

export type EffectOutcome =
  | { ok: true; result: unknown }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** the target's `Retry-After` (429, 503), in seconds: no retry comes sooner */
      retryAfterSeconds?: number;
    };
