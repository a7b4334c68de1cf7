/**
 * @module
 * The end of a `dependency_flow` step, once every task has finished: `store_results` receives
 * the `tasks` scope (one entry per task: status, result, results, error), and the step succeeds
 * unless a task at the end of the graph (one that no other task needs) ended failed or
 * upstream_failed, Airflow's rule: a failure that an `all_done` or `one_failed` task after it
 * handled does not fail the step. A failed step goes through its `error_handling` (a retry runs
 * the whole graph again); the error's code is that of the first task that failed.
 */
import { EngineError, isEngineError } from "../../errors.ts";
import { type GraphRunState, type TaskRecord, tasksScope } from "../../graph/index.ts";
import { forgetAttempts, handleStepFailure } from "../failure.ts";
import { applyToThread } from "../step-updates.ts";
import { CONTINUE, type StepOutcome } from "../steps/handler.ts";
import { type FlowContext, flowMainScope } from "./flow-context.ts";
import { dropThread } from "./task-threads.ts";

const LISTED_FAILURES = 10;

export function finishFlow(flow: FlowContext): StepOutcome {
  const { marker, run, state, step } = flow;
  marker.status = "finished";
  marker.finishedAt = flow.machine.now;
  for (const id of Object.keys(marker.threads)) dropThread(flow, id);
  if (run.main.waitingFor?.kind === "graph") run.main.waitingFor = undefined;
  const scope = flowMainScope(flow);
  const frame = run.main.frames.at(-1)!;
  const moveOn = () => {
    frame.pc += 1;
  };
  try {
    if (typeof step.store_results === "string") {
      applyToThread(scope, [{ path: step.store_results, value: tasksScope(state), operation: "set" }]);
    }
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return handleStepFailure(scope, step, error, { skip: moveOn });
  }
  const failure = graphFailure(state);
  if (failure !== undefined) return handleStepFailure(scope, step, failure, { skip: moveOn });
  forgetAttempts(scope, step.id);
  moveOn();
  return CONTINUE;
}

/** The step's error when an end of the graph failed, else undefined. */
function graphFailure(state: GraphRunState): EngineError | undefined {
  const needed = new Uint8Array(state.tasks.length);
  for (const task of state.tasks) for (const need of task.needs) needed[need] = 1;
  const failedEnds = state.tasks.filter(
    (task) =>
      task.origin !== "branch" &&
      needed[task.index] === 0 &&
      (task.status === "failed" || task.status === "upstream_failed"),
  );
  if (failedEnds.length === 0) return undefined;
  const firstFailed = state.tasks.find((task) => task.origin !== "branch" && task.status === "failed");
  const listed = failedEnds.slice(0, LISTED_FAILURES).map(describeEnd).join("; ");
  const more = failedEnds.length > LISTED_FAILURES ? `; and ${failedEnds.length - LISTED_FAILURES} more` : "";
  const cause = firstFailed?.error ? ` First failure: ${firstFailed.id}: ${firstFailed.error.message}` : "";
  return new EngineError(
    firstFailed?.error?.code ?? "graph.task_failed",
    `${failedEnds.length} of ${state.tasks.length} tasks at the end of the graph did not succeed: ${listed}${more}.${cause}`,
  );
}

function describeEnd(task: TaskRecord): string {
  return task.status === "failed"
    ? `${task.id} failed (${task.error?.code ?? "graph.task_failed"})`
    : `${task.id} upstream_failed`;
}
