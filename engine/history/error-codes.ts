/**
 * @module
 * Codes of run history and lifecycle events: a `workflow_list_runs` cursor it did not hand out,
 * and a chain of lifecycle-triggered runs stopped at its depth limit or its run budget (logged in
 * the event log as a `start_failed` match). Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts);
 * worker/errors/codes.ts classifies each one and docs/observability.md documents it.
 */

export const HISTORY_CODES = [
  "runs.invalid_cursor",
  "events.chain_depth_exceeded",
  "events.chain_budget_exceeded",
] as const;

export type HistoryCode = (typeof HISTORY_CODES)[number];
