/**
 * @module
 * The graph model: the dialect's `dependencies` block (both forms, already normalised by
 * `dependencyGraphSchema`) as a list of `TaskSpec` in declaration order. Declaration order is
 * the tie-breaker between ready tasks of equal priority, so it is kept explicitly.
 * Pure data: nothing here evaluates a condition or runs a task.
 */
import type { DependencyGraph, DependencyTask, Step, TriggerRule } from "../dialect/index.ts";

export type { TriggerRule };

/** One task of a graph. */
export interface TaskSpec {
  /** the task's name in the `dependencies` block */
  id: string;
  /** tasks that must finish first (edges upstream → this task), without duplicates */
  needs: string[];
  /** conditions that must all be truthy for the task to run; strings go to `evaluateCondition` */
  when: (string | boolean)[];
  /** higher runs first among ready tasks; an integer, default 0 */
  priority: number;
  /** which outcomes of `needs` let the task run (default all_success) */
  triggerRule: TriggerRule;
  /** times a failed task is handed out again (default 0) */
  retries: number;
  /** a claim expires this many seconds after it is handed out */
  timeoutSeconds?: number;
  /** what the task runs: opaque to the scheduler */
  run?: Step[];
  /** fan out: one branch per item (a literal list, or a source `resolveItems` turns into one) */
  forEach?: string | unknown[];
  /** needed names as written, duplicates included (validation warns about them) */
  declaredNeeds?: string[];
}

/** A graph: its tasks in declaration order. */
export interface TaskGraph {
  tasks: TaskSpec[];
}

/** One task of the dialect (normalised) → a `TaskSpec`. */
export function taskSpecFromDialect(id: string, task: DependencyTask): TaskSpec {
  const needs = [...new Set(task.needs)];
  const spec: TaskSpec = {
    id,
    needs,
    when: task.when,
    priority: task.priority,
    triggerRule: task.trigger_rule,
    retries: task.retries ?? 0,
  };
  if (needs.length !== task.needs.length) spec.declaredNeeds = task.needs;
  if (task.timeout_seconds !== undefined) spec.timeoutSeconds = task.timeout_seconds;
  if (task.run !== undefined) spec.run = task.run;
  if (task.for_each !== undefined) spec.forEach = task.for_each;
  return spec;
}

/** The `dependencies` block (as `dependencyGraphSchema` outputs it) → a `TaskGraph` in declaration order. */
export function graphFromDependencies(dependencies: DependencyGraph): TaskGraph {
  return { tasks: Object.entries(dependencies).map(([id, task]) => taskSpecFromDialect(id, task)) };
}
