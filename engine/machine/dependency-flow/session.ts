/**
 * @module
 * A run's dependency graph as one transition sees it: the runtime's `GraphRunState` (updated in
 * place by the scheduler), the records changed so far (the rows the runtime writes back), whether
 * a `dependency_flow` step created it in this transition (then every row is written), and how
 * many more tasks the transition may start. Kept beside the transition's run object, never in it,
 * so `RunState` stays small whatever the size of the graph.
 */
import { EngineError } from "../../errors.ts";
import { type GraphRunState, TASK_STATUSES, type TaskRecord } from "../../graph/index.ts";
import type { GraphChanges, RunState } from "../run-model.ts";

/**
 * Tasks one transition may claim. A graph with more work goes on from an immediate timer (the
 * runtime's alarm), so no single request runs 100,000 tasks and each write stays bounded.
 */
export const MAX_TASK_STARTS_PER_TRANSITION = 10_000;

export interface GraphSession {
  /** the task records of `run.graph`, when the run has a graph */
  state: GraphRunState | undefined;
  /** a `dependency_flow` step started `state` in this transition */
  created: boolean;
  /** indices of the records changed in this transition */
  changed: Set<number>;
  /** claims this transition may still make */
  budget: number;
}

const sessions = new WeakMap<RunState, GraphSession>();

/**
 * Starts the session of one transition. `graph` must be the records of `run.graph` as the last
 * checkpoint left them: a running graph without them, or with records that do not add up to the
 * marker's counts, is refused (`run.graph_missing`, `run.graph_mismatch`).
 */
export function openGraphSession(run: RunState, graph: GraphRunState | undefined): GraphSession {
  if (run.graph !== undefined) checkGraph(run, graph);
  const session: GraphSession = {
    state: run.graph === undefined ? undefined : graph,
    created: false,
    changed: new Set(),
    budget: MAX_TASK_STARTS_PER_TRANSITION,
  };
  sessions.set(run, session);
  return session;
}

/** The session of the transition working on `run` (an empty one if none was opened). */
export function graphSession(run: RunState): GraphSession {
  let session = sessions.get(run);
  if (session === undefined) session = openGraphSession(run, undefined);
  return session;
}

/** A `dependency_flow` step replaced the run's graph: every record of `state` is new. */
export function startGraph(session: GraphSession, state: GraphRunState): void {
  session.state = state;
  session.created = true;
  session.changed.clear();
}

export function noteChanged(session: GraphSession, records: readonly TaskRecord[]): void {
  if (session.created) return;
  for (const record of records) session.changed.add(record.index);
}

/** What the runtime must write after the transition, or undefined when the graph did not change. */
export function graphChanges(session: GraphSession): GraphChanges | undefined {
  const { state } = session;
  if (state === undefined) return undefined;
  if (session.created) return { state, created: true, changed: [...state.tasks] };
  if (session.changed.size === 0) return undefined;
  const changed = [...session.changed].sort((a, b) => a - b).map((index) => state.tasks[index]!);
  return { state, created: false, changed };
}

function checkGraph(run: RunState, graph: GraphRunState | undefined): void {
  const marker = run.graph!;
  if (graph === undefined) {
    if (marker.status === "running") {
      throw new EngineError(
        "run.graph_missing",
        `run ${run.id} is running the dependency graph of step "${marker.stepId}" but its task records were not given`,
      );
    }
    return;
  }
  const same =
    graph.tasks.length === marker.total &&
    TASK_STATUSES.every((status) => graph.counts[status] === marker.counts[status]);
  if (!same) {
    throw new EngineError(
      "run.graph_mismatch",
      `the task records given for run ${run.id} (${graph.tasks.length} tasks) are not those of its last checkpoint (${marker.total} tasks)`,
    );
  }
}
