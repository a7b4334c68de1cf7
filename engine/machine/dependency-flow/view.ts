/**
 * @module
 * How a run's graph looks from outside: the summary every snapshot carries, from the marker in
 * `RunState` (O(1): no task record is read). The runtime adds what needs the records (the
 * critical path, Mermaid text) from `engine/graph`.
 */
import type { TaskStatus } from "../../graph/index.ts";
import type { GraphMarker } from "../run-model.ts";

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
