/**
 * @module
 * What the scheduler asks its caller. It never evaluates an expression itself: a task's `when`
 * conditions and a `for_each` source go to these callbacks, with the task's id, when the task's
 * trigger rule is met. A callback that throws fails the task (code taken from an `EngineError`).
 */
import { type ErrorCode, isEngineError } from "../errors.ts";
import type { TaskError } from "./run-state.ts";

export interface GraphHooks {
  /** Whether a condition source (`"{{ config.deep_check }}"`) is truthy for task `taskId`. */
  evaluateCondition(taskId: string, source: string): boolean;
  /** The items of a `for_each` source (`"{{ this.files }}"`); required only for tasks with a string `for_each`. */
  resolveItems?(taskId: string, source: string): unknown[];
}

/** Hooks for a graph without string conditions or `for_each` sources: any call is an error. */
export const NO_EXPRESSION_HOOKS: GraphHooks = {
  evaluateCondition(taskId, source) {
    throw new Error(`task "${taskId}" has condition ${JSON.stringify(source)} and no evaluator was given`);
  },
};

export function errorOf(error: unknown, fallbackCode: ErrorCode): TaskError {
  if (isEngineError(error)) return { code: error.code, message: error.message };
  return { code: fallbackCode, message: error instanceof Error ? error.message : String(error) };
}
