/**
 * @module
 * What the RunDO shows of a run's graph. `workflow_get_status` gets the snapshot's graph summary
 * (counts per task status, from the checkpoint) plus the critical path, computed from the task
 * records: by measured durations once tasks ran, else by number of tasks. `workflow_graph` gets
 * the graph as Mermaid text, coloured by status (large graphs are cut, with a note). Pure.
 */
import { EngineError } from "../../engine/errors.ts";
import { criticalPath, type GraphRunState, toMermaid } from "../../engine/graph/index.ts";
import type { RunSnapshot } from "../../engine/machine/index.ts";
import type { RunState } from "../../engine/machine/run-model.ts";
import type { GraphView, GraphViewOptions, RunStatusView } from "./contracts.ts";

export function statusOf(snapshot: RunSnapshot, graph: GraphRunState | undefined): RunStatusView {
  if (snapshot.graph === undefined || graph === undefined) return snapshot;
  return { ...snapshot, graph: { ...snapshot.graph, critical_path: criticalPath(graph) } };
}

export const DEFAULT_MERMAID_TASKS = 500;

export function graphViewOf(
  run: RunState,
  graph: GraphRunState | undefined,
  options: GraphViewOptions = {},
): GraphView {
  const marker = run.graph;
  if (marker === undefined || graph === undefined) {
    throw new EngineError(
      "graph.not_found",
      `Run ${run.id} has no dependency graph: no dependency_flow step has run yet.`,
      { path: "workflow_id" },
    );
  }
  const maxTasks = options.maxTasks ?? DEFAULT_MERMAID_TASKS;
  const drawable = graph.tasks.filter((task) => task.origin !== "branch").length;
  return {
    workflow_id: run.id,
    step_id: marker.stepId,
    status: marker.status,
    total: graph.tasks.length,
    shown: Math.min(drawable, maxTasks),
    not_shown: Math.max(0, drawable - maxTasks),
    counts: { ...graph.counts },
    mermaid: toMermaid({ tasks: [] }, graph, {
      maxTasks,
      ...(options.direction ? { direction: options.direction } : {}),
    }),
  };
}
