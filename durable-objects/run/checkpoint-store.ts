/**
 * @module
 * A run's checkpoint: the engine's `RunState` as JSON in one row, rewritten after every
 * transition, plus an append-only log of transitions (sequence number, event kind, status, actor).
 * Row types stay here; the rest of the code sees `RunRecord`. The JSON columns are parsed when
 * read (`checkpoint-format.ts`): a row that does not parse is `storage.corrupt`.
 */
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import type { RunState } from "../../engine/machine/run-model.ts";
import { decodeDefinition, encodeDefinition } from "../storage/stored-definition.ts";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint-format.ts";

export interface RunRecord {
  id: string;
  tenant: string;
  workflow: string;
  version: string;
  /** the workflow definition the run was started with (parsed form) */
  definition: WorkflowDefinition;
  state: RunState;
}

export interface TransitionLogEntry {
  seq: number;
  event: string;
  status: string;
  at: number;
  /** who made it: `key:<key id>`, `admin`, `event`, `schedule` or `system`; null before run migration 3 */
  actor: string | null;
}

interface RunRow extends Record<string, SqlStorageValue> {
  id: string;
  tenant: string;
  workflow: string;
  version: string;
  definition: string;
  state: string;
  status: string;
  seq: number;
  updated_at: number;
}

interface RunHeadRow extends Record<string, SqlStorageValue> {
  id: string;
  tenant: string;
  workflow: string;
  version: string;
  state: string;
}

export function readRun(sql: SqlStorage): RunRecord | null {
  const row = sql.exec<RunRow>("SELECT * FROM run LIMIT 1").toArray()[0];
  if (row === undefined) return null;
  const definition = decodeDefinition(row.definition);
  return {
    id: row.id,
    tenant: row.tenant,
    workflow: row.workflow,
    version: row.version,
    definition,
    state: decodeCheckpoint(row.state, definition),
  };
}

/**
 * The checkpoint without parsing the definition, which never changes after the start: `cached`
 * is used when it belongs to this run (a large definition is parsed once per instance).
 */
export function readRunWith(
  sql: SqlStorage,
  cached: { id: string; definition: WorkflowDefinition } | undefined,
): RunRecord | null {
  const columns = "id, tenant, workflow, version, state";
  const row = sql.exec<RunHeadRow>(`SELECT ${columns} FROM run LIMIT 1`).toArray()[0];
  if (row === undefined) return null;
  const definition =
    cached !== undefined && cached.id === row.id
      ? cached.definition
      : decodeDefinition(
          sql.exec<{ definition: string }>("SELECT definition FROM run LIMIT 1").one().definition,
        );
  return {
    id: row.id,
    tenant: row.tenant,
    workflow: row.workflow,
    version: row.version,
    definition,
    state: decodeCheckpoint(row.state, definition),
  };
}

/** First checkpoint of a run. Call inside `transactionSync` together with `appendTransition`. */
export function insertRun(sql: SqlStorage, record: RunRecord): void {
  sql.exec(
    "INSERT INTO run (id, tenant, workflow, version, definition, state, status, seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    record.id,
    record.tenant,
    record.workflow,
    record.version,
    encodeDefinition(record.definition),
    encodeCheckpoint(record.state, record.definition),
    record.state.status,
    record.state.seq,
    record.state.updatedAt,
  );
}

/** Rewrites the checkpoint with the state after a transition (`definition`: the run's own). */
export function saveState(sql: SqlStorage, state: RunState, definition: WorkflowDefinition): void {
  sql.exec(
    "UPDATE run SET state = ?, status = ?, seq = ?, updated_at = ?",
    encodeCheckpoint(state, definition),
    state.status,
    state.seq,
    state.updatedAt,
  );
}

export function appendTransition(sql: SqlStorage, entry: TransitionLogEntry): void {
  sql.exec(
    "INSERT OR REPLACE INTO transitions (seq, event, status, at, actor) VALUES (?, ?, ?, ?, ?)",
    entry.seq,
    entry.event,
    entry.status,
    entry.at,
    entry.actor,
  );
}

export function readTransitions(sql: SqlStorage): TransitionLogEntry[] {
  return sql
    .exec<TransitionLogEntry & Record<string, SqlStorageValue>>("SELECT * FROM transitions ORDER BY seq")
    .toArray();
}
