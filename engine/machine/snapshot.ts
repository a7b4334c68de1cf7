/**
 * @module
 * What callers may see of a run: status, position, a copy of the state of the main thread and
 * of every sub-agent task, and where its dependency graph stands (counts per task status; the
 * task records themselves are the runtime's, see `dependency-flow/view.ts`). A run never holds a tenant
 * secret, so there is nothing to redact.
 */
import { snapshot } from "../state/index.ts";
import { graphSummaryOf } from "./dependency-flow/view.ts";
import type { RunState } from "./run-model.ts";

export function snapshotRun(run: RunState) {
  return {
    workflow_id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    created_at: new Date(run.createdAt).toISOString(),
    updated_at: new Date(run.updatedAt).toISOString(),
    ...(run.completedAt !== undefined ? { completed_at: new Date(run.completedAt).toISOString() } : {}),
    ...(run.error ? { error: run.error } : {}),
    state: snapshot(run.main.state),
    pending_steps: run.main.pending.filter((pending) => !pending.implicit).map((pending) => pending.id),
    ...(run.main.waitingFor ? { waiting_for: run.main.waitingFor } : {}),
    ...(run.warnings && run.warnings.length > 0 ? { warnings: run.warnings } : {}),
    ...(run.graph ? { graph: graphSummaryOf(run.graph) } : {}),
    tasks: Object.fromEntries(
      Object.values(run.tasks).map((task) => [
        task.id,
        {
          status: task.queued ? "queued" : task.status,
          state: snapshot(task.state),
          ...(task.error ? { error: task.error } : {}),
        },
      ]),
    ),
  };
}

export type RunSnapshot = ReturnType<typeof snapshotRun>;
