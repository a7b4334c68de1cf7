/**
 * @module
 * The tenant's audit log in SQLite (`audit_log`, tenant migration 8): `appendAudit` links a new
 * entry to the chain (engine/audit/audit-chain.ts) and must run inside the storage transaction of
 * the change it records, so a change never commits without its entry; `auditPage` reads entries
 * in pages, newest or oldest first, filtered by action and time. Rows keep the entry's fields as
 * columns; the entry is rebuilt from them for readers and the export, so a changed row fails
 * verification. SHA-256 is `node:crypto`'s synchronous one: the chain grows inside `transactionSync`.
 */
import { createHash } from "node:crypto";
import { changeDigest, type Sha256Hex, sealEntry } from "../../engine/audit/audit-chain.ts";
import {
  type AuditAction,
  type AuditActor,
  type AuditEntry,
  type AuditObject,
  auditEntrySchema,
  type ChangeMark,
  GENESIS_HASH,
  MAX_OBJECT_ID,
} from "../../engine/audit/audit-entry.ts";
import { EngineError } from "../../engine/errors.ts";
import type { AuditContext, AuditPage, AuditQuery, AuditRecord } from "./contracts.ts";

/** The most entries one page holds. */
export const MAX_AUDIT_PAGE = 500;

export const sha256Hex: Sha256Hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");

interface AuditRow extends Record<string, SqlStorageValue> {
  seq: number;
  at: number;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  request_id: string | null;
  changes: string;
  prev_hash: string;
  hash: string;
}

/** Appends one entry after the newest; call inside the change's `transactionSync`. */
export function appendAudit(
  sql: SqlStorage,
  record: AuditRecord,
  context: AuditContext,
  now: number,
): AuditEntry {
  const last = sql
    .exec<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    .toArray()[0];
  const changes: Record<string, ChangeMark> = {};
  for (const [name, value] of Object.entries(record.hashed ?? {}))
    changes[name] = changeDigest(value, sha256Hex);
  for (const name of record.changed ?? []) changes[name] = "changed";
  const entry = sealEntry(
    {
      seq: (last?.seq ?? 0) + 1,
      at: new Date(now).toISOString(),
      actor: context.actor,
      action: record.action,
      object: storableObject(record.object),
      request_id: context.requestId ?? null,
      changes,
    },
    last?.hash ?? GENESIS_HASH,
    sha256Hex,
  );
  const checked = auditEntrySchema.safeParse(entry);
  // a platform bug, not bad input: throwing rolls the change back with the entry it cannot record
  if (!checked.success)
    throw new Error(`audit entry ${entry.action} would not verify: ${checked.error.message}`);
  sql.exec(
    `INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, request_id, changes, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    entry.seq,
    now,
    entry.actor,
    entry.action,
    entry.object.type,
    entry.object.id,
    entry.request_id,
    JSON.stringify(entry.changes),
    entry.prev_hash,
    entry.hash,
  );
  return entry;
}

/**
 * The object as an entry can hold it: an id longer than `MAX_OBJECT_ID` (a very long workflow
 * name) is recorded as `sha256:<hex>` of the id, so the entry still reads and verifies.
 */
function storableObject(object: AuditObject): AuditObject {
  return object.id.length <= MAX_OBJECT_ID
    ? object
    : { type: object.type, id: changeDigest(object.id, sha256Hex) };
}

/** One page of entries matching the query; `next_cursor` goes on from the last one. */
export function auditPage(sql: SqlStorage, query: AuditQuery): AuditPage {
  const limit = Math.max(1, Math.min(query.limit, MAX_AUDIT_PAGE));
  const newest = query.order === "newest";
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (query.cursor !== undefined) {
    where.push(newest ? "seq < ?" : "seq > ?");
    args.push(cursorSeq(query.cursor));
  }
  if (query.action !== undefined) {
    where.push("action = ?");
    args.push(query.action);
  }
  if (query.since !== undefined) {
    where.push("at >= ?");
    args.push(query.since);
  }
  if (query.until !== undefined) {
    where.push("at < ?");
    args.push(query.until);
  }
  const filter = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  const rows = sql
    .exec<AuditRow>(
      `SELECT * FROM audit_log ${filter} ORDER BY seq ${newest ? "DESC" : "ASC"} LIMIT ?`,
      ...args,
      limit + 1,
    )
    .toArray();
  const more = rows.length > limit;
  const entries = (more ? rows.slice(0, limit) : rows).map(entryOf);
  const last = entries.at(-1);
  return more && last !== undefined ? { entries, next_cursor: String(last.seq) } : { entries };
}

function cursorSeq(cursor: string): number {
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new EngineError("audit.invalid_cursor", "The cursor is not one workflow_audit handed out.", {
      path: "cursor",
    });
  }
  return seq;
}

/** The entry a row holds, as exported: fields are not checked here, `edgeflow audit verify` does that. */
function entryOf(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: isoTime(row.at),
    actor: row.actor as AuditActor,
    action: row.action as AuditAction,
    object: { type: row.object_type, id: row.object_id },
    request_id: row.request_id,
    changes: parseChanges(row.changes),
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}

/** A stored time as ISO 8601; one that is no longer a time is exported as it is, so verify reports it. */
function isoTime(at: number): string {
  const time = new Date(at);
  return Number.isFinite(time.getTime()) ? time.toISOString() : String(at);
}

/** A `changes` column that no longer parses is exported as its text, so verify reports that entry. */
function parseChanges(text: string): Record<string, ChangeMark> {
  try {
    return JSON.parse(text) as Record<string, ChangeMark>;
  } catch {
    return { unreadable: text as ChangeMark };
  }
}
