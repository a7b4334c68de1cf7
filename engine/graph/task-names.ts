/**
 * @module
 * What a task may be called. Names are identifiers (the dialect's rule), and never a name that
 * cannot be a path segment (`tasks.__proto__` would reach a prototype) nor `main`, which names a
 * run's main thread (a running task's thread has the task's name). `for_each` branches get ids no
 * task can have: `name[3]`.
 */
import { FORBIDDEN_PATH_SEGMENTS } from "../state/index.ts";

const TASK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The id of a run's main thread: no task may take it. */
const MAIN_THREAD = "main";

/** Why `name` cannot name a task, or undefined when it can. */
export function taskNameProblem(name: string): string | undefined {
  if (!TASK_NAME.test(name))
    return `"${name}" is not a task name (letters, digits, _ and -, not first a digit)`;
  if (FORBIDDEN_PATH_SEGMENTS.has(name) || name === MAIN_THREAD)
    return `"${name}" is reserved and cannot name a task`;
  return undefined;
}

/** The id of branch `index` of a `for_each` task. */
export function branchId(parentId: string, index: number): string {
  return `${parentId}[${index}]`;
}
