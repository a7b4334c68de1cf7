/**
 * @module
 * A run's timeline (`workflow_run_history`), read from its transition log: one entry per
 * checkpointed transition, oldest first, with when it happened, who made it (`key:<key id>`,
 * `admin`, `event`, `schedule`, `system`), the run's status after it and what it did
 * (`transition-detail.ts`: steps handed out, completed, failed, retries, waits, errors). Paged by
 * sequence number; never a state value.
 */
import type { RunRecord } from "./checkpoint-store.ts";
import { droppedTransitions, readTransitionPage } from "./checkpoint-store.ts";
import { HISTORY_PAGE } from "./contracts.ts";
import type { TransitionDetail } from "./transition-detail.ts";

export interface HistoryPageRequest {
  /** entries after this sequence number (a previous page's `next_cursor`) */
  afterSeq?: number;
  limit?: number;
}

export interface HistoryEntry {
  seq: number;
  /** start, next, complete, update_state, cancel, timers, effect */
  event: string;
  status: string;
  at: string;
  /** null for entries logged before actors were recorded */
  actor: string | null;
  /** null for entries logged before details were recorded */
  detail: TransitionDetail | null;
}

export interface RunHistoryPage {
  workflow_id: string;
  workflow: string;
  version: string;
  status: string;
  entries: HistoryEntry[];
  /** pass as `cursor` for the next page; absent on the last page */
  next_cursor?: number;
  /** older entries the log no longer holds (it keeps the start and the last 1,000) */
  dropped: number;
}

export function historyPageOf(
  sql: SqlStorage,
  record: RunRecord,
  request: HistoryPageRequest,
): RunHistoryPage {
  const limit = Math.min(Math.max(request.limit ?? HISTORY_PAGE.default, 1), HISTORY_PAGE.max);
  const rows = readTransitionPage(sql, { afterSeq: request.afterSeq ?? -1, limit: limit + 1 });
  const entries = rows.slice(0, limit).map(
    (row): HistoryEntry => ({
      seq: row.seq,
      event: row.event,
      status: row.status,
      at: new Date(row.at).toISOString(),
      actor: row.actor,
      detail: row.detail ?? null,
    }),
  );
  const last = entries.at(-1);
  return {
    workflow_id: record.id,
    workflow: record.workflow,
    version: record.version,
    status: record.state.status,
    entries,
    ...(rows.length > limit && last !== undefined ? { next_cursor: last.seq } : {}),
    dropped: droppedTransitions(sql),
  };
}
