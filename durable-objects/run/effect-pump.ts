/**
 * @module
 * Performing a run's outstanding effects (`run.effects`, recorded with the checkpoint that handed
 * them out). The RunDO's alarm calls `pump`: each effect not already in flight in this instance is
 * performed (by the TenantDO, which holds the secrets) outside any transaction, and its outcome is
 * fed back to the machine as an `effect` event, checkpointed like any other. New effects the
 * outcomes hand out are performed in the same pump, a bounded number of rounds.
 *
 * Crash safety: an effect stays in the checkpoint until its outcome is checkpointed, so after a
 * crash or an eviction between the call and that checkpoint the call is made again, with the same
 * idempotency key: at-least-once delivery plus a key the target can deduplicate on. Performing the
 * effects from the alarm (armed in the checkpoint's turn) is what brings them back after a crash.
 */
import type { EffectIntent, EffectOutcome } from "../../engine/plugins/effect.ts";
import type { RunRecord } from "./checkpoint-store.ts";

/** Rounds of effects one pump performs before it leaves the rest to the next alarm. */
const MAX_ROUNDS = 25;
/**
 * An effect counts as in flight for its call's timeout plus this margin at most: an alarm handler
 * the runtime cancelled never clears its entry, and the effect must not be stuck behind it.
 */
const IN_FLIGHT_MARGIN_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface EffectPumpHost {
  /** the checkpoint now */
  read(): RunRecord | null;
  /** performs the effect (the TenantDO's `performEffect`); throws when it could not be asked */
  perform(record: RunRecord, effect: EffectIntent): Promise<EffectOutcome>;
  /** feeds the outcome to the machine and checkpoints (ignored by the machine when no longer outstanding) */
  feed(effect: EffectIntent, outcome: EffectOutcome): Promise<void>;
}

export class EffectPump {
  /** effect id → when this instance started performing it */
  readonly #inFlight = new Map<string, number>();
  readonly #host: EffectPumpHost;

  constructor(host: EffectPumpHost) {
    this.#host = host;
  }

  /** Performs what is outstanding. Answers false when an effect could not be performed (try later). */
  async pump(): Promise<boolean> {
    let complete = true;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const record = this.#host.read();
      const waiting = (record?.state.effects ?? []).filter((effect) => !this.#isInFlight(effect));
      if (record === null || waiting.length === 0) return complete;
      const results = await Promise.all(waiting.map((effect) => this.#performOne(record, effect)));
      if (results.includes(false)) return false;
    }
    complete = false;
    return complete;
  }

  #isInFlight(effect: EffectIntent): boolean {
    const since = this.#inFlight.get(effect.id);
    if (since === undefined) return false;
    const limit =
      (effect.timeoutSeconds === undefined ? DEFAULT_TIMEOUT_MS : effect.timeoutSeconds * 1000) +
      IN_FLIGHT_MARGIN_MS;
    return Date.now() - since < limit;
  }

  async #performOne(record: RunRecord, effect: EffectIntent): Promise<boolean> {
    this.#inFlight.set(effect.id, Date.now());
    try {
      const outcome = await this.#host.perform(record, effect);
      await this.#host.feed(effect, outcome);
      return true;
    } catch (error) {
      console.error(`run ${record.id}: effect ${effect.id} not performed, will retry`, String(error));
      return false;
    } finally {
      this.#inFlight.delete(effect.id);
    }
  }
}
