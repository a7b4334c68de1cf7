/**
 * @module
 * How a run's graph looks from outside: the summary every snapshot carries (from the marker in
 * `RunState`, O(1)), and the full view the runtime builds from the task records for
 * `workflow_get_status` (counts and the critical path) and `workflow_graph` (Mermaid text).
 */
import {
  type CriticalPath,
  criticalPath,
  type GraphRunState,
  type MermaidOptions,
  type TaskStatus,
  toMermaid,
} from "../../graph/index.ts";
import type { GraphMarker } from "../types.ts";

export interface GraphSummary {
  step_id: string;
  status: GraphMarker["status"];
  total: number;
  counts: Record<TaskStatus, number>;
  /** tasks running steps now, and how many of those have a step out with an agent */
  threads: number;
  with_agents: number;
  started_at: string;
  finished_at?: string;
}

export function graphSummaryOf(marker: GraphMarker): GraphSummary {
  const threads = Object.values(marker.threads);
  return {
    step_id: marker.stepId,
    status: marker.status,
    total: marker.total,
    counts: { ...marker.counts },
    threads: threads.length,
    with_agents: threads.filter((thread) => thread.pending.some((pending) => !pending.implicit)).length,
    started_at: new Date(marker.startedAt).toISOString(),
    ...(marker.finishedAt === undefined ? {} : { finished_at: new Date(marker.finishedAt).toISOString() }),
  };
}

/** The critical path of a run's graph: by measured durations once tasks ran, else by task count. */
export function graphCriticalPath(state: GraphRunState): CriticalPath {
  return criticalPath(state);
}

/** A run's graph as Mermaid text, coloured by task status. */
export function graphMermaid(state: GraphRunState, options: MermaidOptions = {}): string {
  return toMermaid({ tasks: [] }, state, options);
}
