/**
 * @module
 * A `workflow_step_complete` the main thread has no pending step for, explained: the step is a
 * `parallel_foreach` (it finishes by itself when its tasks are done), or it is waiting in
 * sub-agent tasks and the caller (a sub-agent) forgot its `task_id`.
 */
import { EngineError } from "../errors.ts";
import type { RunState, Thread } from "./run-model.ts";
import { isFinished } from "./sub-agent-tasks.ts";

/** Why `stepId` cannot be completed on `thread`, when the run knows better than "not pending". */
export function misdirectedCompletion(
  run: RunState,
  thread: Thread,
  stepId: string,
): EngineError | undefined {
  if (thread !== run.main) return undefined;
  const waiting = run.main.waitingFor;
  if (waiting?.kind === "tasks" && waiting.stepId === stepId) {
    return new EngineError(
      "run.step_not_pending",
      `step "${stepId}" is a parallel_foreach: no agent completes it. It finishes by itself once every ` +
        "sub-agent task it started has finished; start one sub-agent per task and call workflow_get_next_step.",
    );
  }
  const owners = Object.values(run.tasks)
    .filter((task) => !isFinished(task))
    .filter((task) => task.pending.some((pending) => pending.id === stepId && !pending.implicit))
    .map((task) => task.id);
  if (owners.length === 0) return undefined;
  return new EngineError(
    "run.task_id_required",
    `step "${stepId}" is waiting in sub-agent task${owners.length > 1 ? "s" : ""} ${owners.join(", ")}, ` +
      "not in the main thread: pass your task_id to workflow_step_complete (and to workflow_get_next_step).",
    { path: "task_id" },
  );
}
