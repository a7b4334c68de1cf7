/**
 * @module
 * What the migration planner takes and answers (`planMigration`, `plan-migration.ts`). All plain
 * JSON but the evaluator: an answer can be shown as a dry run as it is, and an `ok` plan's `run`
 * is the checkpoint to store when the migration is applied.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import type { RunState } from "../machine/run-model.ts";
import type { MigrationCode } from "./error-codes.ts";

/** One version of the workflow: its version string and its parsed definition. */
export interface WorkflowVersion {
  version: string;
  definition: WorkflowDefinition;
}

export interface MigrationInput {
  /** the run's checkpoint (never mutated) */
  run: RunState;
  /** the version the run is on (`run.version`) and its definition (the RunDO's `definition` column) */
  from: WorkflowVersion;
  /** the version to move the run to; `to.definition.migrations` holds the migrations that apply */
  to: WorkflowVersion;
  /** the expression sandbox, with the same budgets as a run's expressions */
  evaluator: Evaluator;
  /** epoch ms: the migrated run's `updatedAt` */
  now: number;
}

/**
 * Where one thread stands in the old version and continues in the new one. Threads: `main`, then
 * each sub-agent task thread by id (sorted).
 */
export interface ThreadPosition {
  /** `main`, or the sub-agent task's id */
  thread_id: string;
  /** the step the thread stands at in the old version (running, handed out or next); null at the end of its list */
  from_step_id: string | null;
  /** the step it continues at in the new version; null at the end of its list (a loop repeats, a thread ends) */
  step_id: string | null;
  /** the thread's innermost step list in the new version by step ids, e.g. ["steps", "retry", "body"]; [] when the thread has ended */
  list: string[];
  /** steps handed out to an agent and not completed yet, by id (they keep their id in the new version) */
  pending: string[];
}

/**
 * A field of the main thread's state that the migration changes: `path` is `inputs.<name>`,
 * `state.<name>`, `global.<name>` or `computed.<name>`; `before`/`after` are absent when the
 * field is added/removed. Sorted by path.
 */
export interface StateChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** A `migrations:` entry of the target version that the migration runs, in the order it runs. */
export interface AppliedMigration {
  /** its position in `to.definition.migrations` */
  index: number;
  /** its `from` range */
  from: string;
  /** its `to` version: the run's version after it */
  to: string;
  /** the run's version it was applied to */
  applied_to: string;
  description?: string;
  /** the number of declarative operations it ran */
  operations: number;
  /** whether it has a `script` */
  script: boolean;
}

/** Why a run cannot move to the target version. */
export interface MigrationProblem {
  code: MigrationCode;
  message: string;
  /** the step (old version's id) the problem is about */
  step_id?: string;
  /** the state path or definition path the problem is about */
  path?: string;
  /** the sub-agent task thread the problem is about, when not the main thread */
  task_id?: string;
}

export type MigrationPlan =
  | {
      ok: true;
      /** the migrated checkpoint: the target's version, frames re-addressed, state migrated */
      run: RunState;
      positions: ThreadPosition[];
      stateChanges: StateChange[];
      migrations: AppliedMigration[];
      /** things that did not stop the migration but that an operator should know */
      warnings: string[];
    }
  | { ok: false; problems: MigrationProblem[] };
