/**
 * @module
 * `external_state`: after a checkpoint, the run's state is written to the workflow's backend
 * (its state plugin's `put_versioned`, performed by the TenantDO like any effect) under
 *
 *     runs/<run id>/state      inside the tenant's prefix: t/<tenant>/runs/<run id>/state
 *
 * as the document `{version, value: {run_id, workflow, status, state, updated_at}}`, `version`
 * being the checkpoint's sequence number. The plugin writes only a version newer than the stored
 * one (redis: one Lua script; kv and r2: see their plugins), so an older write never replaces a
 * newer one. The last version written is kept in the RunDO's key-value storage, so a crash before the
 * write is caught up by the next alarm. Only the latest state is written: intermediate versions
 * a busy run passes through may be skipped.
 */
import type { WorkflowDefinition } from "../../engine/dialect/workflow.ts";
import type { EffectIntent } from "../../engine/plugins/effect.ts";
import { idempotencyKeyOf } from "../../engine/plugins/idempotency-key.ts";
import type { RunRecord } from "./checkpoint-store.ts";

/** The service name an `external_state` backend is looked up by (docs/plugins.md). */
export const EXTERNAL_STATE_SERVICE = "external_state";
const WRITTEN_KEY = "external_state_version";

export function externalStateKey(runId: string): string {
  return `runs/${runId}/state`;
}

export class ExternalStateMirror {
  readonly #kv: SyncKvStorage;
  /** a version this instance failed to write: not retried until a newer checkpoint (or a restart) */
  #failedVersion: number | undefined;
  #writing = false;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** Whether the record's state is newer than what the backend holds. */
  due(record: RunRecord): boolean {
    const spec = (record.definition as WorkflowDefinition).external_state;
    if (spec === undefined || this.#writing) return false;
    const written = this.#kv.get<number>(WRITTEN_KEY) ?? -1;
    return written < record.state.seq && this.#failedVersion !== record.state.seq;
  }

  /** The write as an effect for the TenantDO (`kind: "state"`), or undefined when none is due. */
  effectFor(record: RunRecord): EffectIntent | undefined {
    if (!this.due(record)) return undefined;
    const spec = (record.definition as WorkflowDefinition).external_state!;
    const run = record.state;
    const idempotencyKey = idempotencyKeyOf({
      runId: run.id,
      threadId: "run",
      stepId: "external_state",
      iterations: [run.seq],
    });
    const value = {
      run_id: run.id,
      workflow: run.workflow,
      status: run.status,
      state: run.main.state,
      updated_at: new Date(run.updatedAt).toISOString(),
    };
    const params: Record<string, unknown> = { key: externalStateKey(run.id), value, version: run.seq };
    if (spec.ttl !== undefined) params.ttl = spec.ttl;
    return {
      id: `${idempotencyKey}#1`,
      kind: "state",
      idempotencyKey,
      threadId: "run",
      stepId: "external_state",
      attempt: 1,
      service: EXTERNAL_STATE_SERVICE,
      method: "put_versioned",
      params,
      requestedAt: run.updatedAt,
    };
  }

  begin(): void {
    this.#writing = true;
  }

  /** The write of `version` ended (`ok`: the backend holds it or a newer one). */
  end(version: number, ok: boolean): void {
    this.#writing = false;
    if (!ok) {
      this.#failedVersion = version;
      return;
    }
    const written = this.#kv.get<number>(WRITTEN_KEY) ?? -1;
    if (version > written) this.#kv.put(WRITTEN_KEY, version);
  }
}
