/**
 * @module
 * After any thread moves, the run as a whole may move: the dependency graph takes back expired
 * claims and starts the tasks it can (and, once every task has finished, lets the main thread go
 * on), queued sub-agent tasks get free slots, a `parallel_foreach` whose tasks are all finished
 * lets the main thread go on, and the run's status follows its main thread.
 */

import type { WorkflowDefinition } from "../dialect/index.ts";
import { EngineError, isEngineError } from "../errors.ts";
import { advanceThread } from "./advance.ts";
import { stepOfTypeAt } from "./definition.ts";
import { settleGraph, syncGraphMarker } from "./dependency-flow/settle-graph.ts";
import { handleStepFailure } from "./failure.ts";
import type { MachineContext, RunState, SubAgentTaskThread } from "./run-model.ts";
import type { StepOf } from "./step-types.ts";
import { applyToThread } from "./step-updates.ts";
import { awaitedTasks, isFinished, promoteQueued } from "./sub-agent-tasks.ts";
import type { ThreadScope } from "./thread-scope.ts";

export function settleRun(definition: WorkflowDefinition, run: RunState, machine: MachineContext): void {
  settleGraph(definition, run, machine);
  const main = run.main;
  const mainScope: ThreadScope = { definition, run, thread: main, machine };
  if (main.waitingFor?.kind === "tasks") {
    const frame = main.frames.at(-1)!;
    const step = stepOfTypeAt(definition, [...frame.ref, frame.pc], "parallel_foreach");
    promoteQueued(run, step.max_parallel);
    const tasks = awaitedTasks(run);
    if (tasks.every(isFinished)) {
      main.waitingFor = undefined;
      const failed = tasks.filter((task) => task.status === "failed");
      const moveOn = () => {
        frame.pc += 1;
      };
      const stored = storeResults(mainScope, step, tasks);
      if (stored !== undefined) {
        handleStepFailure(mainScope, step, stored, { skip: moveOn });
      } else if (failed.length > 0) {
        const error = new EngineError(
          "step.sub_agent_failed",
          `${failed.length} of ${tasks.length} sub-agent tasks failed: ${failed.map((task) => task.id).join(", ")}`,
        );
        handleStepFailure(mainScope, step, error, { skip: moveOn });
      } else {
        moveOn();
      }
      advanceThread(mainScope, { issue: false });
    }
  }
  syncGraphMarker(run);
  updateRunStatus(run, machine.now);
}

function updateRunStatus(run: RunState, now: number): void {
  if (run.status === "cancelled") return;
  const main = run.main;
  if (main.status === "completed") {
    run.status = "completed";
    run.completedAt ??= now;
    run.timers = [];
  } else if (main.status === "failed") {
    run.status = "failed";
    run.completedAt ??= now;
    run.timers = [];
    if (main.error) run.error = main.error;
  } else {
    run.status = main.waitingFor?.kind === "timer" ? "waiting" : "running";
  }
}

/** Stores the tasks' results at the step's `store_results`; the error when that write is refused (a declared type, the size cap). */
function storeResults(
  scope: ThreadScope,
  step: StepOf<"parallel_foreach">,
  tasks: readonly SubAgentTaskThread[],
): EngineError | undefined {
  if (typeof step.store_results !== "string") return undefined;
  const results = tasks.map((task) => ({
    task_id: task.id,
    status: task.status,
    state: { ...task.state.state, ...task.state.computed },
    ...(task.error ? { error: task.error } : {}),
  }));
  try {
    applyToThread(scope, [{ path: step.store_results, value: results, operation: "set" }]);
    return undefined;
  } catch (error) {
    if (isEngineError(error)) return error;
    throw error;
  }
}
