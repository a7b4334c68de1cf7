/**
 * @module
 * PLACEHOLDER (branch i13-migrate): the interface of the pure migration planner that branch
 * i13-plan writes. Replaced by that branch's module at merge; it maps nothing and changes no state.
 */
import type { WorkflowDefinition } from "../dialect/workflow.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import type { RunState } from "../machine/run-model.ts";

export interface MigrationInput {
  run: RunState;
  from: { version: string; definition: WorkflowDefinition };
  to: { version: string; definition: WorkflowDefinition };
  evaluator: Evaluator;
  now: number;
}

export interface ThreadPosition {
  thread: string;
  step_id?: string;
}
export interface StateChange {
  path: string;
  before?: unknown;
  after?: unknown;
}
export interface AppliedMigration {
  from: string;
  to: string;
}
export interface MigrationProblem {
  code: string;
  message: string;
  step_id?: string;
  path?: string;
  task_id?: string;
}

export type MigrationPlan =
  | {
      ok: true;
      run: RunState;
      positions: ThreadPosition[];
      stateChanges: StateChange[];
      migrations: AppliedMigration[];
      warnings: string[];
    }
  | { ok: false; problems: MigrationProblem[] };

export function planMigration(input: MigrationInput): MigrationPlan {
  const run = { ...input.run, version: input.to.version, updatedAt: input.now };
  return { ok: true, run, positions: [], stateChanges: [], migrations: [], warnings: [] };
}
