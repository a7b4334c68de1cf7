/**
 * @module
 * Run warnings (`RunWarning`): recorded on the run, capped in number and length, and collected for the answer of the
 * transition that raised them.
 */
import type { RunWarning } from "./run-model.ts";
import type { ThreadScope } from "./thread-scope.ts";

/** The most warnings a run keeps: the oldest go first. */
export const MAX_RUN_WARNINGS = 20;
/** The longest warning message a run keeps, in characters; a longer one is cut and ends in "…". */
export const MAX_RUN_WARNING_LENGTH = 500;

function truncated(message: string): string {
  return message.length <= MAX_RUN_WARNING_LENGTH
    ? message
    : `${message.slice(0, MAX_RUN_WARNING_LENGTH - 1)}…`;
}

export function addWarning(scope: ThreadScope, warning: Omit<RunWarning, "at" | "task_id">): void {
  const { run, thread, machine } = scope;
  const full: RunWarning = { ...warning, message: truncated(warning.message), at: machine.now };
  if (thread !== run.main) full.task_id = thread.id;
  run.warnings = [...(run.warnings ?? []), full].slice(-MAX_RUN_WARNINGS);
  machine.raised?.push(full);
}
