/**
 * @module
 * `parallel_foreach`: one sub-agent task per item, ids `{sub_agent_task}.item{i}`, each with its
 * own state and step queue. At most `max_parallel` tasks are out at once; the rest are queued and
 * handed out as earlier ones finish. The main thread waits on the step until every task is done.
 */

import type { SubAgentTask } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import { initState } from "../../state/index.ts";
import { subAgentTask } from "../definition.ts";
import type { SubAgentTaskThread } from "../run-model.ts";
import { announceTasks } from "../sub-agent-tasks.ts";
import { evaluationContext, renderValue, type ThreadScope } from "../thread-scope.ts";
import type { ServerStepHandler } from "./handler.ts";
import { describe } from "./loops.ts";

export const runParallelForeach: ServerStepHandler<"parallel_foreach"> = (scope, step, frame) => {
  if (scope.thread !== scope.run.main) {
    throw new EngineError(
      "run.nested_parallel_foreach",
      "a sub-agent task or a graph task cannot start sub-agent tasks",
    );
  }
  const items = renderValue(scope, step.items);
  if (!Array.isArray(items)) {
    throw new EngineError(
      "step.invalid_items",
      `parallel_foreach "${step.id}": items must be an array, got ${describe(items)}`,
    );
  }
  const taskName = step.sub_agent_task;
  const spec = subAgentTask(scope.definition, taskName);
  if (items.length === 0) {
    frame.pc += 1;
    return { kind: "continue" };
  }
  const created = items.map((item, index) =>
    createTask(scope, {
      spec,
      taskName,
      parentStepId: step.id,
      item,
      index,
      queued: index >= step.max_parallel,
    }),
  );
  for (const task of created) scope.run.tasks[task.id] = task;
  scope.thread.waitingFor = { kind: "tasks", stepId: step.id, taskIds: created.map((task) => task.id) };
  return { kind: "stop", next: announceTasks(scope, step) };
};

interface NewTask {
  spec: SubAgentTask;
  taskName: string;
  parentStepId: string;
  item: unknown;
  index: number;
  queued: boolean;
}

function createTask(scope: ThreadScope, task: NewTask): SubAgentTaskThread {
  const id = uniqueTaskId(scope, `${task.taskName}.item${task.index}`);
  const { data, errors } = initState(
    task.spec,
    inputsFromItem(task.spec, task.item),
    scope.machine.evaluator,
    { ...evaluationContext(scope), locals: { task_id: id, item: task.item, index: task.index } },
  );
  if (errors.length > 0) throw errors[0]!;
  return {
    id,
    status: "ready",
    state: data,
    frames: [{ ref: ["sub_agent_tasks", task.taskName, "steps"], pc: 0 }],
    pending: [],
    task: task.taskName,
    parentStepId: task.parentStepId,
    index: task.index,
    item: task.item,
    queued: task.queued,
    announced: false,
  };
}

/** A task's first declared input receives the item; an object item also fills inputs by name. */
export function inputsFromItem(spec: SubAgentTask, item: unknown): Record<string, unknown> {
  const names = Object.keys(spec.inputs ?? {});
  const inputs: Record<string, unknown> = {};
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    for (const name of names)
      if (Object.hasOwn(item, name)) inputs[name] = (item as Record<string, unknown>)[name];
    if (Object.keys(inputs).length > 0) return inputs;
  }
  const first = names[0];
  if (first !== undefined) inputs[first] = item;
  return inputs;
}

/** A loop may run the same `parallel_foreach` again: later passes get a `.2`, `.3`… suffix. */
function uniqueTaskId(scope: ThreadScope, base: string): string {
  if (!(base in scope.run.tasks)) return base;
  let pass = 2;
  while (`${base}.${pass}` in scope.run.tasks) pass += 1;
  return `${base}.${pass}`;
}
