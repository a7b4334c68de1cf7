/**
 * @module
 * Moving a run to another version of its workflow, and back. `planRunMigration` asks the pure
 * planner (engine/versions/migration-plan.ts) what would change and writes nothing: a dry run is
 * that answer. `writeMigration` stores the planned run in the caller's storage transaction and
 * first copies the run row's columns (definition, state, status, seq, updated_at: the bytes as
 * stored) and its graph rows into `run_versions` / `run_version_tasks`; `restorePreviousVersion`
 * copies them back, byte for byte, while the run has not moved since. No clock, no I/O but the
 * SQL handle it is given.
 */
import { EngineError } from "../../engine/errors.ts";
import { snapshotRun } from "../../engine/machine/index.ts";
import type { MachineContext, RunState } from "../../engine/machine/run-model.ts";
import { planMigration } from "../../engine/versions/index.ts";
import { encodeDefinition } from "../storage/stored-definition.ts";
import { encodeCheckpoint } from "./checkpoint-format.ts";
import { appendTransition, type RunRecord } from "./checkpoint-store.ts";
import type { MigrationTarget, RunMigrationAnswer } from "./migration-contracts.ts";

/** Migrations kept for rollback per run; older ones are dropped (they can no longer be rolled back). */
export const MAX_KEPT_MIGRATIONS = 10;

export interface PlannedRunMigration {
  answer: RunMigrationAnswer;
  /** the run after the migration; absent when it cannot migrate */
  run?: RunState;
}

/**
 * What migrating `record` to `target` would do. Refuses a finished run (`migrate.run_finished`)
 * and a move to the version the run is on (`migrate.same_version`); the planner's reasons come
 * back as `problems`. The planned run is one transition on: `seq` + 1, `updatedAt` now.
 */
export function planRunMigration(
  record: RunRecord,
  target: MigrationTarget,
  machine: MachineContext,
  dryRun: boolean,
): PlannedRunMigration {
  const { state } = record;
  if (state.status !== "running" && state.status !== "waiting") {
    throw new EngineError(
      "migrate.run_finished",
      `Run ${record.id} is ${state.status}: only running or waiting runs move to another version.`,
      { path: "workflow_id" },
    );
  }
  if (target.version === record.version) {
    throw new EngineError(
      "migrate.same_version",
      `Run ${record.id} is already on version ${record.version}; nothing to migrate.`,
      { path: "to_version" },
    );
  }
  const base = {
    workflow_id: record.id,
    workflow: record.workflow,
    from_version: record.version,
    to_version: target.version,
    dry_run: dryRun,
    migrated: false,
  };
  const plan = planMigration({
    run: state,
    from: { version: record.version, definition: record.definition },
    to: target,
    evaluator: machine.evaluator,
    now: machine.now,
  });
  if (!plan.ok) {
    const empty = { positions: [], state_changes: [], migrations: [], warnings: [] };
    return { answer: { ...base, possible: false, ...empty, problems: plan.problems } };
  }
  const { run } = plan;
  const answer: RunMigrationAnswer = {
    ...base,
    possible: true,
    positions: plan.positions,
    state_changes: plan.stateChanges,
    migrations: plan.migrations,
    warnings: plan.warnings,
    problems: [],
    run: snapshotRun(run),
  };
  return { answer, run };
}

/**
 * Keeps the run row and graph rows as stored, then writes the migrated run under the new version
 * and definition, and logs a `migrate` transition. Call inside `transactionSync`.
 */
export function writeMigration(
  sql: SqlStorage,
  before: RunRecord,
  target: MigrationTarget,
  run: RunState,
  actor: string,
): void {
  const kept = sql
    .exec<{ id: number }>(
      `INSERT INTO run_versions (migrated_seq, from_version, to_version, definition, state, status, seq,
         updated_at, migrated_at, migrated_by)
       SELECT ?, version, ?, definition, state, status, seq, updated_at, ?, ? FROM run RETURNING id`,
      run.seq,
      target.version,
      run.updatedAt,
      actor,
    )
    .one().id;
  sql.exec(
    "INSERT INTO run_version_tasks (version_id, idx, id, status, record) SELECT ?, idx, id, status, record FROM graph_tasks",
    kept,
  );
  sql.exec(
    "UPDATE run SET version = ?, definition = ?, state = ?, status = ?, seq = ?, updated_at = ? WHERE id = ?",
    target.version,
    encodeDefinition(target.definition),
    encodeCheckpoint(run, target.definition),
    run.status,
    run.seq,
    run.updatedAt,
    before.id,
  );
  appendTransition(sql, { seq: run.seq, event: "migrate", status: run.status, at: run.updatedAt, actor });
  dropOldMigrations(sql);
}

interface KeptVersionRow extends Record<string, SqlStorageValue> {
  id: number;
  migrated_seq: number;
  from_version: string;
  to_version: string;
}

/**
 * Puts back the run row and graph rows its last migration kept, exactly as they were stored, and
 * marks that migration rolled back. Refused when there is none (`migrate.nothing_to_roll_back`)
 * or when the run has moved since (`migrate.run_moved`: its steps since would be lost; migrate
 * it to the old version instead). The `migrate` transition's log row goes, as the run's sequence
 * number goes back before it; the rollback itself stays in `run_versions`. Call inside
 * `transactionSync`. Answers the version restored.
 */
export function restorePreviousVersion(
  sql: SqlStorage,
  record: RunRecord,
  actor: string,
  now: number,
): string {
  const kept = sql
    .exec<KeptVersionRow>(
      "SELECT id, migrated_seq, from_version, to_version FROM run_versions WHERE rolled_back_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .toArray()[0];
  if (kept === undefined) {
    throw new EngineError(
      "migrate.nothing_to_roll_back",
      `Run ${record.id} has no migration to roll back (none applied, or all rolled back already).`,
      { path: "workflow_id" },
    );
  }
  if (kept.migrated_seq !== record.state.seq || kept.to_version !== record.version) {
    throw new EngineError(
      "migrate.run_moved",
      `Run ${record.id} has taken steps since it was migrated to ${kept.to_version}, so its saved copy is out of date; ` +
        `call workflow_migrate with to_version "${kept.from_version}" to plan a move back instead.`,
      { path: "workflow_id" },
    );
  }
  sql.exec(
    `UPDATE run SET (version, definition, state, status, seq, updated_at) =
       (SELECT from_version, definition, state, status, seq, updated_at FROM run_versions WHERE id = ?)`,
    kept.id,
  );
  sql.exec("DELETE FROM graph_tasks");
  sql.exec(
    "INSERT INTO graph_tasks (idx, id, status, record) SELECT idx, id, status, record FROM run_version_tasks WHERE version_id = ?",
    kept.id,
  );
  sql.exec("DELETE FROM transitions WHERE seq >= ?", kept.migrated_seq);
  sql.exec("DELETE FROM run_version_tasks WHERE version_id = ?", kept.id);
  sql.exec(
    "UPDATE run_versions SET rolled_back_at = ?, rolled_back_by = ? WHERE id = ?",
    now,
    actor,
    kept.id,
  );
  return kept.from_version;
}

function dropOldMigrations(sql: SqlStorage): void {
  const old = "SELECT id FROM run_versions ORDER BY id DESC LIMIT -1 OFFSET ?";
  sql.exec(`DELETE FROM run_version_tasks WHERE version_id IN (${old})`, MAX_KEPT_MIGRATIONS);
  sql.exec(`DELETE FROM run_versions WHERE id IN (${old})`, MAX_KEPT_MIGRATIONS);
}
