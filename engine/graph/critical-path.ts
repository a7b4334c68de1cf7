/**
 * @module
 * The critical path: the chain of dependent tasks that takes longest. Of a run, by recorded
 * durations (first claim or fan-out to finish, in the caller's clock units) once any task took
 * time; otherwise, and of a bare graph, by number of tasks. O(V + E). `for_each` branches are
 * inside their task's duration. Ties go to the earliest-declared task.
 */
import type { TaskGraph } from "./model.ts";
import { derived, type GraphRunState } from "./run-state.ts";
import { topologicalOrder } from "./topological-order.ts";

export interface CriticalPath {
  /** task ids from first to last */
  tasks: string[];
  /** total duration (unit `ms`) or number of tasks (unit `tasks`) */
  length: number;
  unit: "ms" | "tasks";
}

export function criticalPath(source: TaskGraph | GraphRunState): CriticalPath {
  return "format" in source ? ofRun(source) : ofGraph(source);
}

function ofGraph(graph: TaskGraph): CriticalPath {
  const byName = new Map(graph.tasks.map((task, index) => [task.id, index]));
  const needs = graph.tasks.map((task) =>
    task.needs.map((name) => byName.get(name)).filter((index): index is number => index !== undefined),
  );
  const dependents: number[][] = graph.tasks.map(() => []);
  needs.forEach((upstream, index) => {
    for (const need of upstream) dependents[need]!.push(index);
  });
  return longestChain({
    count: graph.tasks.length,
    needs: (task) => needs[task]!,
    dependents: (task) => dependents[task]!,
    weight: () => 1,
    id: (task) => graph.tasks[task]!.id,
    unit: "tasks",
  });
}

function ofRun(state: GraphRunState): CriticalPath {
  const { tasks } = state;
  const index = derived(state);
  const duration = (task: number): number | undefined => {
    const { startedAt, finishedAt } = tasks[task]!;
    return startedAt !== undefined && finishedAt !== undefined ? finishedAt - startedAt : undefined;
  };
  const timed = tasks.some((task) => task.origin !== "branch" && (duration(task.index) ?? 0) > 0);
  return longestChain({
    count: tasks.length,
    needs: (task) => tasks[task]!.needs,
    dependents: (task) => index.dependents[task]!,
    skip: (task) => tasks[task]!.origin === "branch",
    weight: timed ? (task) => duration(task) ?? 0 : () => 1,
    id: (task) => tasks[task]!.id,
    unit: timed ? "ms" : "tasks",
  });
}

interface ChainInput {
  count: number;
  needs(task: number): readonly number[];
  dependents(task: number): readonly number[];
  skip?(task: number): boolean;
  weight(task: number): number;
  id(task: number): string;
  unit: CriticalPath["unit"];
}

function longestChain(input: ChainInput): CriticalPath {
  const order = topologicalOrder(input);
  if (order === undefined || order.length === 0) return { tasks: [], length: 0, unit: input.unit };
  const best = new Float64Array(input.count);
  const previous = new Int32Array(input.count).fill(-1);
  let end = order[0]!;
  for (const task of order) {
    let upstreamBest = 0;
    let bestNeed = -1;
    for (const need of input.needs(task)) {
      const value = best[need]!;
      if (bestNeed === -1 || value > upstreamBest || (value === upstreamBest && need < bestNeed)) {
        upstreamBest = value;
        bestNeed = need;
      }
    }
    previous[task] = bestNeed;
    best[task] = upstreamBest + input.weight(task);
    if (best[task]! > best[end]! || (best[task] === best[end] && task < end)) end = task;
  }
  const chain: string[] = [];
  for (let at = end; at !== -1; at = previous[at]!) chain.push(input.id(at));
  return { tasks: chain.reverse(), length: best[end]!, unit: input.unit };
}
