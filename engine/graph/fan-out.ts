/**
 * @module
 * `for_each` fan-out and fan-in. When a `for_each` task's trigger rule and conditions let it
 * run, its items are resolved (a literal list, or `resolveItems`) and one branch per item is
 * appended to the tasks, ready at once with the task's priority, retries and timeout: the
 * branches are what gets claimed. The task itself is `running` until every branch has finished;
 * then it succeeds if every branch succeeded (an empty list succeeds at once) and fails
 * otherwise, and its `results` hold every branch's result in item order (null for a failed
 * branch): what a fan-in task reads as `tasks.<name>.results`.
 */
import { errorOf } from "./hooks.ts";
import type { TaskSpec } from "./model.ts";
import { finishTask, markReady, type Propagation, setStatus, touch } from "./propagation.ts";
import { MAX_GRAPH_TASKS } from "./quotas.ts";
import type { TaskError, TaskRecord } from "./run-state.ts";
import { branchId } from "./task-names.ts";
import { createTaskRecord } from "./task-record.ts";

export function expandForEach(p: Propagation, task: TaskRecord): void {
  const items = resolveItems(p, task);
  if (!Array.isArray(items)) {
    task.error = items;
    finishTask(p, task, "failed");
    return;
  }
  const { tasks } = p.state;
  if (tasks.length + items.length > MAX_GRAPH_TASKS) {
    task.error = {
      code: "graph.too_large",
      message: `task "${task.id}" fans out to ${items.length} branches; the graph would pass ${MAX_GRAPH_TASKS} tasks`,
    };
    finishTask(p, task, "failed");
    return;
  }
  setStatus(p, task, "running");
  task.startedAt = p.now;
  task.branchStart = tasks.length;
  task.branchCount = items.length;
  task.branchesPending = items.length;
  if (items.length === 0) {
    task.results = [];
    finishTask(p, task, "success");
    return;
  }
  items.forEach((item, position) => {
    const spec: TaskSpec = {
      id: branchId(task.id, position),
      needs: [],
      when: [],
      priority: task.priority,
      triggerRule: "all_success",
      retries: task.retries,
      timeoutSeconds: task.timeoutSeconds,
      run: task.run,
    };
    const branch = createTaskRecord(spec, tasks.length, [], "branch");
    branch.parent = task.index;
    branch.item = item;
    tasks.push(branch);
    p.index.byId.set(branch.id, branch.index);
    p.index.dependents.push([]);
    p.state.counts.waiting += 1;
    markReady(p, branch);
  });
}

function resolveItems(p: Propagation, task: TaskRecord): unknown[] | TaskError {
  const source = task.forEach;
  if (Array.isArray(source)) return source;
  if (typeof source !== "string")
    return { code: "graph.bad_items", message: `task "${task.id}" has no items` };
  if (p.hooks.resolveItems === undefined) {
    return {
      code: "graph.no_items_resolver",
      message: `task "${task.id}" fans out over ${JSON.stringify(source)} and no resolveItems hook was given`,
    };
  }
  try {
    const items = p.hooks.resolveItems(task.id, source);
    if (Array.isArray(items)) return items;
    return {
      code: "graph.bad_items",
      message: `task "${task.id}": for_each ${JSON.stringify(source)} gave ${typeof items}, not a list`,
    };
  } catch (error) {
    return errorOf(error, "graph.bad_items");
  }
}

/** A branch finished: the `for_each` task finishes with the last one. */
export function branchFinished(p: Propagation, branch: TaskRecord): void {
  const task = p.state.tasks[branch.parent!]!;
  task.branchesPending = (task.branchesPending ?? 1) - 1;
  touch(p, task.index);
  if (task.branchesPending > 0) return;
  const start = task.branchStart!;
  const results: unknown[] = [];
  let failed = 0;
  for (let at = start; at < start + task.branchCount!; at++) {
    const done = p.state.tasks[at]!;
    if (done.status === "success") results.push(done.result ?? null);
    else {
      results.push(null);
      failed += 1;
    }
  }
  task.results = results;
  if (failed > 0) {
    task.error = {
      code: "graph.branch_failed",
      message: `${failed} of ${results.length} branches of "${task.id}" failed`,
    };
  }
  finishTask(p, task, failed > 0 ? "failed" : "success");
}
