/**
 * @module
 * A fresh `TaskRecord` (waiting, no attempts) for a declared task, a dynamic one or a branch.
 */
import type { TaskSpec } from "./model.ts";
import type { TaskRecord } from "./run-state.ts";

/**
 * Every field is present, optional ones as undefined: records of one shape keep property access
 * fast (V8 hidden classes), and JSON leaves undefined fields out of the rows.
 */
export function createTaskRecord(
  spec: TaskSpec,
  index: number,
  needs: number[],
  origin: TaskRecord["origin"],
): TaskRecord {
  return {
    index,
    id: spec.id,
    origin,
    status: "waiting",
    priority: spec.priority,
    triggerRule: spec.triggerRule,
    when: spec.when,
    retries: spec.retries,
    timeoutSeconds: spec.timeoutSeconds,
    run: spec.run,
    forEach: spec.forEach,
    needs,
    upstreamPending: needs.length,
    upstreamSucceeded: 0,
    upstreamFailed: 0,
    upstreamSkipped: 0,
    attempts: 0,
    failures: 0,
    expirations: 0,
    claimedAt: undefined,
    deadline: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    result: undefined,
    results: undefined,
    error: undefined,
    parent: undefined,
    item: undefined,
    branchStart: undefined,
    branchCount: undefined,
    branchesPending: undefined,
    addedBy: undefined,
  };
}
