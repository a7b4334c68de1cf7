/**
 * @module
 * Run lifecycle events: every run's start and end (`run.started`, `run.completed`, `run.failed`,
 * `run.cancelled`) go on the tenant's event bus, where `type: event` subscriptions take them like
 * posted events, so one workflow can start from another's completion.
 *
 * Where: the run index. Every status change of a run reaches the TenantDO anyway (the start, and
 * the RunDO's report of each later change); the index write that records it also notes, in the
 * same row and the same transaction, which lifecycle events are due (`runs.lifecycle_due`). Only
 * when some subscription listens for that event type: otherwise nothing more is written. A drain
 * right after (and the tenant alarm, should the object stop first) takes the due events off the
 * row and stores them as events with their matches, in one transaction: none is lost, none is
 * stored twice (their ids are `run:<run id>:<type>`).
 *
 * Chains: a run started by a lifecycle event of a run at depth d has depth d + 1 (runs started
 * any other way: 0). A match that would start a run deeper than `MAX_CHAIN_DEPTH` starts none and
 * is logged `start_failed` with `events.chain_depth_exceeded` (event-intake.ts), so a loop (A
 * starts B starts A, or A starts itself) stops. Depth alone does not bound breadth (a run emits two
 * events, each may start several runs), so every lifecycle-started run also carries its chain's
 * root (the depth-0 run it descends from, `chain_root`), and a root has at most
 * `MAX_CHAIN_RUNS` descendants: a match past that starts none (`events.chain_budget_exceeded`).
 * Wildcard patterns (`*`) do not take lifecycle types unless they start with `run.`
 * (engine/events/event-pattern.ts).
 */
import { isCandidate, type TriggerEvent } from "../../engine/events/index.ts";
import type { IndexedRunStatus, RunIndexRecord } from "./contracts.ts";
import { REDRIVE_AFTER_MS } from "./pending-starts.ts";
import { isActiveStatus, upsertRun } from "./run-index.ts";
import type { SubscriptionRegistry } from "./subscription-registry.ts";

/** The deepest a chain of lifecycle-started runs goes: the first run is 0, the last one started 8. */
export const MAX_CHAIN_DEPTH = 8;

/** The most runs lifecycle events start per chain (descendants of one depth-0 run, all depths together). */
export const MAX_CHAIN_RUNS = 32;

export const LIFECYCLE_EVENT_TYPES = ["run.started", "run.completed", "run.failed", "run.cancelled"] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

/** Event ids of lifecycle events start with this (`posted-event.ts` refuses it from senders). */
export const LIFECYCLE_ID_PREFIX = "run:";

/** A drain that did not happen (the object stopped first) is done by the tenant alarm this much later. */
export const LIFECYCLE_REDRIVE_MS = REDRIVE_AFTER_MS;

/** Runs whose due events one transaction takes at most. */
const DRAIN_BATCH = 50;
/** Transactions one drain runs at most (the rest: the tenant alarm, due at once by then). */
export const LIFECYCLE_DRAIN_ROUNDS = 20;

interface Due {
  types: LifecycleEventType[];
  error_code?: string;
}

interface DueRow extends Record<string, SqlStorageValue> {
  id: string;
  workflow: string;
  version: string;
  status: string;
  depth: number;
  chain_root: string | null;
  lifecycle_due: string;
}

/** A lifecycle event to store, with the depth and the chain root of the run it is about. */
export interface EmittedEvent {
  event: TriggerEvent;
  depth: number;
  /** the depth-0 run the chain started from (the run itself when its depth is 0) */
  chainRoot: string;
}

/** The lifecycle events a run's move from `previous` (null: not indexed yet) to `next` emits. */
export function lifecycleTypesOf(
  previous: IndexedRunStatus | null,
  next: IndexedRunStatus,
): LifecycleEventType[] {
  const types: LifecycleEventType[] = [];
  if (previous === null) types.push("run.started");
  if (!isActiveStatus(next) && (previous === null || isActiveStatus(previous)))
    types.push(`run.${next}` as LifecycleEventType);
  return types;
}

/**
 * Writes a run's index row (`upsertRun`) with its chain depth, and notes the lifecycle events the
 * change makes due when a subscription listens for them. Answers the row's expiry (as
 * `upsertRun`) and whether events are due (the caller then drains). Call inside the transaction
 * of the index write, or as that write.
 */
export function indexRunWithLifecycle(
  sql: SqlStorage,
  record: RunIndexRecord,
  subscriptions: SubscriptionRegistry,
): { expiresAt: number | null; due: boolean } {
  const prior = sql
    .exec<{ status: string; depth: number; updated_at: number }>(
      "SELECT status, depth, updated_at FROM runs WHERE id = ?",
      record.id,
    )
    .toArray()[0];
  // a run reported before its start was written down: its depth is still in its pending start
  const pending =
    prior === undefined
      ? sql
          .exec<{ depth: number; chain_root: string | null }>(
            "SELECT depth, chain_root FROM pending_starts WHERE run_id = ?",
            record.id,
          )
          .toArray()[0]
      : undefined;
  const depth = Math.max(record.depth ?? 0, prior?.depth ?? 0, pending?.depth ?? 0);
  const chainRoot = record.chainRoot ?? pending?.chain_root ?? undefined;
  const expiresAt = upsertRun(sql, { ...record, depth, ...(chainRoot === undefined ? {} : { chainRoot }) });
  // a report older than the row changed nothing
  if (prior !== undefined && record.updatedAt < prior.updated_at) return { expiresAt, due: false };
  const types = lifecycleTypesOf(
    (prior?.status as IndexedRunStatus | undefined) ?? null,
    record.status,
  ).filter((type) => listens(subscriptions, type));
  if (types.length === 0) return { expiresAt, due: false };
  const existing = sql
    .exec<{ lifecycle_due: string | null }>("SELECT lifecycle_due FROM runs WHERE id = ?", record.id)
    .one().lifecycle_due;
  const due: Due = existing === null ? { types: [] } : (JSON.parse(existing) as Due);
  for (const type of types) if (!due.types.includes(type)) due.types.push(type);
  if (record.errorCode !== undefined) due.error_code = record.errorCode;
  sql.exec("UPDATE runs SET lifecycle_due = ? WHERE id = ?", JSON.stringify(due), record.id);
  return { expiresAt, due: true };
}

/**
 * Takes the due lifecycle events of up to `DRAIN_BATCH` runs off their rows, as events stamped
 * `now`. Call inside the transaction that stores them.
 */
export function takeDueLifecycleEvents(sql: SqlStorage, now: number): EmittedEvent[] {
  const rows = sql
    .exec<DueRow>(
      "SELECT id, workflow, version, status, depth, chain_root, lifecycle_due FROM runs WHERE lifecycle_due IS NOT NULL LIMIT ?",
      DRAIN_BATCH,
    )
    .toArray();
  const emitted: EmittedEvent[] = [];
  for (const row of rows) {
    const due = JSON.parse(row.lifecycle_due) as Due;
    for (const type of due.types) {
      const status = type === "run.started" ? "running" : type.slice("run.".length);
      emitted.push({
        depth: row.depth,
        chainRoot: row.chain_root ?? row.id,
        event: {
          id: `${LIFECYCLE_ID_PREFIX}${row.id}:${type}`,
          type,
          source: row.workflow,
          payload: {
            workflow: row.workflow,
            version: row.version,
            run_id: row.id,
            status,
            depth: row.depth,
            ...(type === "run.failed" && due.error_code !== undefined
              ? { error: { code: due.error_code } }
              : {}),
          },
          receivedAt: now,
        },
      });
    }
    sql.exec("UPDATE runs SET lifecycle_due = NULL WHERE id = ?", row.id);
  }
  return emitted;
}

/**
 * How many runs lifecycle events have started (or promised) in the chain of `root`: the indexed
 * runs that name it, and the pending starts not indexed yet. Counts up to `MAX_CHAIN_RUNS`.
 */
export function chainRunsOf(sql: SqlStorage, root: string): number {
  return sql
    .exec<{ n: number }>(
      `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE chain_root = ?1 LIMIT ?2))
            + (SELECT COUNT(*) FROM (SELECT 1 FROM pending_starts p WHERE p.chain_root = ?1
                 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = p.run_id) LIMIT ?2)) AS n`,
      root,
      MAX_CHAIN_RUNS,
    )
    .one().n;
}

/** When the tenant alarm should drain lifecycle events a drain missed (the object stopped first). */
export function nextLifecycleDrainAt(sql: SqlStorage): number | null {
  const at = sql
    .exec<{ at: number | null }>("SELECT MIN(updated_at) AS at FROM runs WHERE lifecycle_due IS NOT NULL")
    .one().at;
  return at === null ? null : at + LIFECYCLE_REDRIVE_MS;
}

/** Whether any enabled subscription would take an event of this type (its pattern and trigger). */
function listens(subscriptions: SubscriptionRegistry, type: LifecycleEventType): boolean {
  const probe: TriggerEvent = { id: "probe", type, source: "", payload: {}, receivedAt: 0 };
  return subscriptions.all().some((subscription) => isCandidate(subscription, probe));
}
