/**
 * @module
 * The life of sub-agent tasks seen from the main thread: telling the main agent which tasks to
 * start, promoting queued tasks when a slot frees up, and finishing the `parallel_foreach` step
 * once every task of it is done.
 */

import type { Step } from "../dialect/index.ts";
import { POLL_AFTER_MS } from "./poll-intervals.ts";
import type { NextStep, RunState, SubAgentTaskThread } from "./run-model.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { renderValue } from "./thread-scope.ts";

/** The tasks the main thread is waiting on (those of the `parallel_foreach` pass in progress). */
export function awaitedTasks(run: RunState): SubAgentTaskThread[] {
  const ids = run.main.waitingFor?.kind === "tasks" ? (run.main.waitingFor.taskIds ?? []) : [];
  return ids.map((id) => run.tasks[id]).filter((task): task is SubAgentTaskThread => task !== undefined);
}

export function isFinished(task: SubAgentTaskThread): boolean {
  return task.status === "completed" || task.status === "failed";
}

/** The main agent's answer while it waits on `step`: tasks to start, or a progress message. */
export function announceTasks(scope: ThreadScope, step: Step): NextStep {
  const tasks = awaitedTasks(scope.run).filter(
    (task) => !task.queued && !task.announced && !isFinished(task),
  );
  if (tasks.length === 0) return progress(scope.run, step.id);
  for (const task of tasks) task.announced = true;
  const total = awaitedTasks(scope.run).length;
  const entries = tasks.map((task) => ({
    task_id: task.id,
    inputs: task.state.inputs,
    context: {
      item: task.item,
      index: task.index,
      total,
      parent_step_id: step.id,
      workflow_id: scope.run.id,
    },
    prompt: subAgentPrompt(scope, task),
  }));
  return {
    status: "steps",
    steps: [
      {
        id: step.id,
        type: "parallel_foreach",
        attempt: 1,
        definition: {
          sub_agent_task: task0Name(tasks),
          tasks: entries,
          instructions:
            "Start one sub-agent per task. Each sub-agent calls workflow_get_next_step with this workflow_id " +
            "and its task_id, does the step, calls workflow_step_complete, and repeats until it gets " +
            "status 'completed'. Meanwhile keep calling workflow_get_next_step without a task_id: more tasks " +
            "are handed out as slots free up, and the workflow continues once every task is done.",
        },
      },
    ],
  };
}

function task0Name(tasks: SubAgentTaskThread[]): string {
  return tasks[0]?.task ?? "";
}

/**
 * The main agent's answer while tasks run. The same call without a task_id is also what a
 * sub-agent that forgot its task_id gets, so the answer names the tasks still open and says
 * that a sub-agent passes its own.
 */
function progress(run: RunState, stepId: string): NextStep {
  const tasks = awaitedTasks(run);
  const done = tasks.filter(isFinished).length;
  const open = tasks.filter((task) => !isFinished(task)).map((task) => task.id);
  return {
    status: "wait",
    message:
      `Waiting for sub-agent tasks of "${stepId}": ${done} of ${tasks.length} finished` +
      (open.length > 0 ? `, still open: ${open.join(", ")}. ${SUB_AGENT_REMINDER}` : "."),
    retryAfterMs: POLL_AFTER_MS.tasks,
    taskIds: open,
  };
}

/** Told to whoever calls without a task_id while sub-agent tasks are open. */
export const SUB_AGENT_REMINDER =
  "This answer is for the main agent. A sub-agent must pass its own task_id (one of those) " +
  "to workflow_get_next_step and workflow_step_complete.";

function subAgentPrompt(scope: ThreadScope, task: SubAgentTaskThread): string {
  const spec = scope.definition.sub_agent_tasks?.[task.task];
  const template = spec?.prompt_template;
  if (typeof template === "string") {
    const taskScope: ThreadScope = { ...scope, thread: task };
    return String(renderValue(taskScope, template));
  }
  return (
    `You are a sub-agent working on task ${task.id} of workflow run ${scope.run.id}` +
    (spec?.description ? ` (${spec.description})` : "") +
    `. Call workflow_get_next_step with workflow_id "${scope.run.id}" and task_id "${task.id}", ` +
    "carry out the step, report it with workflow_step_complete, and repeat until the answer is 'completed'."
  );
}

/** Moves queued tasks up to the step's `max_parallel` limit. */
export function promoteQueued(run: RunState, maxParallel: number): void {
  const tasks = awaitedTasks(run);
  let running = tasks.filter((task) => !task.queued && !isFinished(task)).length;
  for (const task of tasks) {
    if (running >= maxParallel) return;
    if (task.queued) {
      task.queued = false;
      running += 1;
    }
  }
}
