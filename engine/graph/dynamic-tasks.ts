/**
 * @module
 * Dynamic task generation: a running task adds tasks (in the dialect's task forms) and edges
 * (`{from, to}`: `to` needs `from`) to its run. An addition is validated as a whole and applied
 * only if it has no error: names, schema, priorities, the quotas, no unknown or branch tasks, no
 * self-edge, no edge into a task that has started or finished (`graph.edge_into_finished`; a
 * ready task goes back to waiting), and no cycle (`graph.dynamic_cycle`, found by a search of
 * the part of the graph downstream of the new edges). New tasks come after every existing task
 * in declaration order. An edge from a finished task counts at once.
 */
import { dependencyTaskSchema } from "../dialect/index.ts";
import { findCycles, formatCycle } from "./cycles.ts";
import { countUpstream, decideWaiting, drain } from "./dependents.ts";
import { type GraphDiagnostic, graphDiagnostic, graphError, hasErrors } from "./diagnostics.ts";
import type { GraphHooks } from "./hooks.ts";
import { type TaskSpec, taskSpecFromDialect } from "./model.ts";
import { changedRecords, setStatus, startPropagation, touch } from "./propagation.ts";
import { type DerivedIndex, derived, type GraphRunState, isFinal, type TaskRecord } from "./run-state.ts";
import { taskNameProblem } from "./task-names.ts";
import { createTaskRecord } from "./task-record.ts";
import { priorityProblem, quotaProblem } from "./validate.ts";

/** An edge added at run time: `to` needs `from`. */
export interface GraphEdge {
  from: string;
  to: string;
}

export interface AddTasksOptions {
  hooks: GraphHooks;
  now: number;
  /** the task adding them (recorded on each new task) */
  addedBy?: string;
}

export interface AddTasksResult {
  added: TaskRecord[];
  changed: TaskRecord[];
}

interface Addition {
  diagnostics: GraphDiagnostic[];
  specs: TaskSpec[];
  /** resolved edges (indices; new tasks numbered after the existing ones), duplicates removed */
  edges: { from: number; to: number }[];
}

/** The problems of an addition, without changing the state. */
export function validateAddition(
  state: GraphRunState,
  newTasks: unknown,
  newEdges: readonly GraphEdge[] = [],
): GraphDiagnostic[] {
  return planAddition(state, newTasks, newEdges).diagnostics;
}

/** Adds tasks and edges to a run, or throws `EngineError` (graph.*) and changes nothing. */
export function addTasks(
  state: GraphRunState,
  newTasks: unknown,
  newEdges: readonly GraphEdge[],
  options: AddTasksOptions,
): AddTasksResult {
  const plan = planAddition(state, newTasks, newEdges);
  if (hasErrors(plan.diagnostics)) throw graphError(plan.diagnostics);
  const p = startPropagation(state, options.hooks, options.now);
  const { tasks } = state;
  const first = tasks.length;
  const toDecide = new Set<number>();
  plan.specs.forEach((spec, offset) => {
    const record = createTaskRecord(spec, first + offset, [], "dynamic");
    if (options.addedBy !== undefined) record.addedBy = options.addedBy;
    tasks.push(record);
    p.index.byId.set(record.id, record.index);
    p.index.dependents.push([]);
    state.counts.waiting += 1;
    touch(p, record.index);
    toDecide.add(record.index);
  });
  for (const edge of plan.edges) {
    const upstream = tasks[edge.from]!;
    const dependent = tasks[edge.to]!;
    dependent.needs.push(edge.from);
    dependent.upstreamPending += 1;
    p.index.dependents[edge.from]!.push(edge.to);
    p.index.edges += 1;
    if (dependent.status === "ready") setStatus(p, dependent, "waiting");
    if (isFinal(upstream.status)) countUpstream(p, dependent, upstream);
    touch(p, dependent.index);
    toDecide.add(edge.to);
  }
  for (const index of [...toDecide].sort((a, b) => a - b)) decideWaiting(p, tasks[index]!);
  drain(p);
  return { added: tasks.slice(first), changed: changedRecords(p) };
}

function planAddition(state: GraphRunState, newTasks: unknown, newEdges: readonly GraphEdge[]): Addition {
  const index = derived(state);
  const diagnostics: GraphDiagnostic[] = [];
  const specs = parseTasks(newTasks, index, diagnostics);
  const edgeCount = specs.reduce((sum, spec) => sum + spec.needs.length, 0) + newEdges.length;
  const quota = quotaProblem(state.tasks.length + specs.length, index.edges + edgeCount);
  if (quota !== undefined) return { diagnostics: [quota], specs: [], edges: [] };
  const newIndex = new Map(specs.map((spec, offset) => [spec.id, state.tasks.length + offset]));
  const resolve = (name: string, from: string): number | undefined => {
    const found = newIndex.get(name) ?? index.byId.get(name);
    if (found !== undefined && state.tasks[found]?.origin !== "branch") return found;
    diagnostics.push(
      graphDiagnostic("graph.unknown_task", `${from} "${name}", which the graph does not define`, {
        task: name,
      }),
    );
    return undefined;
  };
  const edges: { from: number; to: number }[] = [];
  const seen = new Set<string>();
  const addEdge = (from: number, to: number) => {
    const key = `${from}>${to}`;
    const existing = state.tasks[to];
    if (seen.has(key) || existing?.needs.includes(from)) return;
    seen.add(key);
    edges.push({ from, to });
  };
  for (const spec of specs) {
    for (const need of spec.needs) {
      if (need === spec.id) {
        diagnostics.push(
          graphDiagnostic("graph.self_edge", `task "${spec.id}" needs itself`, { task: spec.id }),
        );
        continue;
      }
      const from = resolve(need, `task "${spec.id}" needs`);
      if (from !== undefined) addEdge(from, newIndex.get(spec.id)!);
    }
  }
  for (const edge of newEdges) {
    if (typeof edge?.from !== "string" || typeof edge.to !== "string") {
      diagnostics.push(
        graphDiagnostic("graph.invalid_task", "an edge must be {from: task name, to: task name}"),
      );
      continue;
    }
    if (edge.from === edge.to) {
      diagnostics.push(graphDiagnostic("graph.self_edge", `an edge goes from "${edge.from}" to itself`));
      continue;
    }
    const from = resolve(edge.from, "an edge comes from");
    const to = resolve(edge.to, "an edge goes to");
    if (from === undefined || to === undefined) continue;
    const target = state.tasks[to];
    if (target !== undefined && target.status !== "waiting" && target.status !== "ready") {
      diagnostics.push(
        graphDiagnostic(
          "graph.edge_into_finished",
          `an edge from "${edge.from}" cannot go into "${edge.to}": it has ${target.status === "running" ? "started" : `finished (${target.status})`}`,
          { task: edge.to },
        ),
      );
      continue;
    }
    addEdge(from, to);
  }
  if (!hasErrors(diagnostics)) {
    const cycle = additionCycle(state, index, specs.length, edges);
    if (cycle !== undefined) {
      const names = cycle.map((at) => state.tasks[at]?.id ?? specs[at - state.tasks.length]!.id);
      diagnostics.push(
        graphDiagnostic(
          "graph.dynamic_cycle",
          `the added tasks and edges would form a cycle: ${formatCycle(names)}`,
          {
            task: names[0]!,
          },
        ),
      );
    }
  }
  return { diagnostics, specs, edges };
}

function parseTasks(newTasks: unknown, index: DerivedIndex, diagnostics: GraphDiagnostic[]): TaskSpec[] {
  if (typeof newTasks !== "object" || newTasks === null || Array.isArray(newTasks)) {
    diagnostics.push(
      graphDiagnostic("graph.invalid_task", "new tasks must be a mapping of task name → task"),
    );
    return [];
  }
  const specs: TaskSpec[] = [];
  for (const [name, raw] of Object.entries(newTasks)) {
    const nameProblem = taskNameProblem(name);
    if (nameProblem !== undefined) {
      diagnostics.push(graphDiagnostic("graph.bad_task_name", nameProblem, { task: name }));
      continue;
    }
    if (index.byId.has(name)) {
      diagnostics.push(
        graphDiagnostic("graph.duplicate_task", `task "${name}" already exists`, { task: name }),
      );
      continue;
    }
    const parsed = dependencyTaskSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
      diagnostics.push(
        graphDiagnostic(
          "graph.invalid_task",
          `task "${name}" is not a valid task${where}: ${issue?.message}`,
          {
            task: name,
          },
        ),
      );
      continue;
    }
    const spec = taskSpecFromDialect(name, parsed.data);
    const priority = priorityProblem(spec);
    if (priority !== undefined) diagnostics.push(priority);
    specs.push(spec);
  }
  return specs;
}

/** A cycle through the new edges, if any: a search from the tasks that receive a new edge. */
function additionCycle(
  state: GraphRunState,
  index: DerivedIndex,
  added: number,
  edges: readonly { from: number; to: number }[],
): number[] | undefined {
  if (edges.length === 0) return undefined;
  const extra = new Map<number, number[]>();
  for (const edge of edges) {
    const list = extra.get(edge.from);
    if (list === undefined) extra.set(edge.from, [edge.to]);
    else list.push(edge.to);
  }
  const existing = state.tasks.length;
  const next = (task: number): readonly number[] => {
    const more = extra.get(task);
    const old = task < existing ? index.dependents[task]! : [];
    return more === undefined ? old : [...old, ...more];
  };
  const [cycle] = findCycles({
    count: existing + added,
    next,
    starts: new Set(edges.map((edge) => edge.to)),
    limit: 1,
  });
  return cycle;
}
