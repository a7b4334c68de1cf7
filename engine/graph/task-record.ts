/**
 * @module
 * A fresh `TaskRecord` (waiting, no attempts) for a declared or dynamic task.
 */
import type { TaskSpec } from "./model.ts";
import type { TaskRecord } from "./run-state.ts";

export function createTaskRecord(
  spec: TaskSpec,
  index: number,
  needs: number[],
  origin: "graph" | "dynamic",
): TaskRecord {
  const record: TaskRecord = {
    index,
    id: spec.id,
    origin,
    status: "waiting",
    priority: spec.priority,
    triggerRule: spec.triggerRule,
    when: spec.when,
    retries: spec.retries,
    needs,
    upstreamPending: needs.length,
    upstreamSucceeded: 0,
    upstreamFailed: 0,
    upstreamSkipped: 0,
    attempts: 0,
    failures: 0,
    expirations: 0,
  };
  if (spec.timeoutSeconds !== undefined) record.timeoutSeconds = spec.timeoutSeconds;
  if (spec.run !== undefined) record.run = spec.run;
  if (spec.forEach !== undefined) record.forEach = spec.forEach;
  return record;
}
