/**
 * @module
 * Publish-time validation of a `TaskGraph`: size quotas, task names, priorities, needed tasks
 * that do not exist, self-edges, cycles (each listed in run order, `a → b → c → a`, where
 * `a → b` means b needs a) and, as warnings, duplicate needs and tasks that can never run.
 * Never throws; `createGraphRun` refuses a graph with errors.
 */
import { findCycles, formatCycle } from "./cycles.ts";
import { type GraphDiagnostic, graphDiagnostic, hasErrors } from "./diagnostics.ts";
import type { TaskGraph, TaskSpec } from "./model.ts";
import {
  MAX_GRAPH_EDGES,
  MAX_GRAPH_TASKS,
  MAX_PRIORITY,
  MAX_REPORTED_CYCLES,
  MIN_PRIORITY,
} from "./quotas.ts";
import { conditionKind, possibleOutcomes } from "./reachability.ts";
import { taskNameProblem } from "./task-names.ts";
import { topologicalOrder } from "./topological-order.ts";

export interface ValidateGraphOptions {
  /** look for tasks that can never run (default true; only on a graph without errors) */
  reachability?: boolean;
}

/** Names resolved to indices, edges both ways: what a scheduler run is built from. */
export interface GraphIndex {
  byName: Map<string, number>;
  needs: number[][];
  dependents: number[][];
  edges: number;
}

export function validateGraph(graph: TaskGraph, options: ValidateGraphOptions = {}): GraphDiagnostic[] {
  return analyzeGraph(graph, options).diagnostics;
}

/** The diagnostics, and the graph's index when it has no error. */
export function analyzeGraph(
  graph: TaskGraph,
  options: ValidateGraphOptions = {},
): { diagnostics: GraphDiagnostic[]; index?: GraphIndex } {
  const edges = countEdges(graph.tasks);
  const quota = quotaProblem(graph.tasks.length, edges);
  if (quota !== undefined) return { diagnostics: [quota] };
  const diagnostics: GraphDiagnostic[] = [];
  const byName = new Map<string, number>();
  graph.tasks.forEach((task, index) => {
    const nameProblem = taskNameProblem(task.id);
    if (nameProblem !== undefined) {
      diagnostics.push(graphDiagnostic("graph.bad_task_name", nameProblem, { task: task.id }));
    }
    if (byName.has(task.id)) {
      diagnostics.push(
        graphDiagnostic("graph.duplicate_task", `task "${task.id}" is defined twice`, { task: task.id }),
      );
    } else {
      byName.set(task.id, index);
    }
    const priority = priorityProblem(task);
    if (priority !== undefined) diagnostics.push(priority);
  });
  for (const task of graph.tasks) needProblems(task, byName, diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };

  const needs = graph.tasks.map((task) => task.needs.map((name) => byName.get(name)!));
  const dependents: number[][] = graph.tasks.map(() => []);
  needs.forEach((upstream, index) => {
    for (const need of upstream) dependents[need]!.push(index);
  });
  const cycles = findCycles({
    count: graph.tasks.length,
    next: (task) => dependents[task]!,
    limit: MAX_REPORTED_CYCLES,
  });
  for (const cycle of cycles) {
    const names = cycle.map((index) => graph.tasks[index]!.id);
    diagnostics.push(
      graphDiagnostic("graph.cycle", `dependencies form a cycle: ${formatCycle(names)}`, { task: names[0]! }),
    );
  }
  if (cycles.length > 0) return { diagnostics };
  const index = { byName, needs, dependents, edges };
  if (options.reachability === false) return { diagnostics, index };

  const order = topologicalOrder({
    count: graph.tasks.length,
    needs: (task) => needs[task]!,
    dependents: (task) => dependents[task]!,
  })!;
  const outcomes = possibleOutcomes({
    order,
    needs: (task) => needs[task]!,
    rule: (task) => graph.tasks[task]!.triggerRule,
    condition: (task) => conditionKind(graph.tasks[task]!.when),
  });
  graph.tasks.forEach((task, at) => {
    if (outcomes.get(at)?.canRun !== false) return;
    const blocked = needs[at]!.filter((need) => outcomes.get(need)?.canRun === false);
    diagnostics.push(
      unreachable(
        task,
        blocked.map((need) => graph.tasks[need]!.id),
      ),
    );
  });
  return { diagnostics, index };
}

/** `graph.too_large` when a graph of this size is past a quota. */
export function quotaProblem(tasks: number, edges: number): GraphDiagnostic | undefined {
  if (tasks > MAX_GRAPH_TASKS) {
    return graphDiagnostic(
      "graph.too_large",
      `the graph has ${tasks.toLocaleString("en-US")} tasks; the limit is ${MAX_GRAPH_TASKS.toLocaleString("en-US")}`,
    );
  }
  if (edges > MAX_GRAPH_EDGES) {
    return graphDiagnostic(
      "graph.too_large",
      `the graph has ${edges.toLocaleString("en-US")} edges (needs); the limit is ${MAX_GRAPH_EDGES.toLocaleString("en-US")}`,
    );
  }
  return undefined;
}

function countEdges(tasks: readonly TaskSpec[]): number {
  let edges = 0;
  for (const task of tasks) edges += task.needs.length;
  return edges;
}

/** `graph.bad_priority` unless the priority is an integer in the documented range. */
export function priorityProblem(task: Pick<TaskSpec, "id" | "priority">): GraphDiagnostic | undefined {
  const { priority } = task;
  if (Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY) return undefined;
  return graphDiagnostic(
    "graph.bad_priority",
    `task "${task.id}" has priority ${priority}; a priority is an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
    { task: task.id, field: "priority" },
  );
}

/** Pushes the problems of a task's needs; allocates nothing for a task without any. */
function needProblems(task: TaskSpec, known: ReadonlyMap<string, number>, into: GraphDiagnostic[]): void {
  const declared = task.declaredNeeds ?? task.needs;
  for (let position = 0; position < declared.length; position++) {
    const need = declared[position]!;
    const at = () => ({ task: task.id, field: "needs" as const, need });
    if (task.declaredNeeds !== undefined && declared.indexOf(need) < position) {
      into.push(
        graphDiagnostic("graph.duplicate_need", `task "${task.id}" needs "${need}" twice`, at(), "warning"),
      );
    } else if (need === task.id) {
      into.push(graphDiagnostic("graph.self_edge", `task "${task.id}" needs itself`, at()));
    } else if (!known.has(need)) {
      into.push(
        graphDiagnostic(
          "graph.unknown_task",
          `task "${task.id}" needs "${need}", which the graph does not define`,
          at(),
        ),
      );
    }
  }
}

function unreachable(task: TaskSpec, blockedBy: readonly string[]): GraphDiagnostic {
  const reason = task.when.includes(false)
    ? "its condition is always false"
    : `its trigger rule ${task.triggerRule} can never be met` +
      (blockedBy.length > 0 ? ` (${blockedBy.map((name) => `"${name}"`).join(", ")} can never run)` : "");
  return graphDiagnostic(
    "graph.unreachable",
    `task "${task.id}" can never run: ${reason}`,
    { task: task.id },
    "warning",
  );
}
