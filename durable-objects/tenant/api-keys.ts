/**
 * @module
 * API key rows of one tenant: SHA-256 hashes only, looked up by key id and compared in constant
 * time. Revocation sets `revoked_at`; a revoked key fails the very next lookup (the DO is the
 * single, strongly consistent place keys are checked).
 */
import { timingSafeEqual } from "../../engine/crypto/constant-time.ts";
import { EngineError } from "../../engine/errors.ts";
import type { KeyInfo, KeyInput } from "./contracts.ts";

interface KeyRow extends Record<string, SqlStorageValue> {
  id: string;
  hash: string;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
}

export function insertKey(sql: SqlStorage, input: KeyInput, now: number): KeyInfo {
  sql.exec(
    "INSERT INTO api_keys (id, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)",
    input.keyId,
    input.hash,
    input.label ?? null,
    now,
  );
  return toKeyInfo({
    id: input.keyId,
    hash: input.hash,
    label: input.label ?? null,
    created_at: now,
    revoked_at: null,
  });
}

export function listKeys(sql: SqlStorage): KeyInfo[] {
  return sql.exec<KeyRow>("SELECT * FROM api_keys ORDER BY created_at, id").toArray().map(toKeyInfo);
}

/** Revokes a key; `changed` is false when it was already revoked (nothing to audit). */
export function revokeKey(sql: SqlStorage, keyId: string, now: number): { key: KeyInfo; changed: boolean } {
  const row = findKey(sql, keyId);
  if (row === null) throw new EngineError("key.not_found", `No API key "${keyId}" for this tenant.`);
  const changed = row.revoked_at === null;
  if (changed) {
    sql.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ?", now, keyId);
    row.revoked_at = now;
  }
  return { key: toKeyInfo(row), changed };
}

/** True when `keyId` exists, is not revoked, and its stored hash equals `hash`. */
export function verifyKey(sql: SqlStorage, keyId: string, hash: string): boolean {
  const row = findKey(sql, keyId);
  const stored = row?.hash ?? "0".repeat(64);
  const matches = hashesEqual(stored, hash);
  return row !== null && row.revoked_at === null && matches;
}

function findKey(sql: SqlStorage, keyId: string): KeyRow | null {
  return sql.exec<KeyRow>("SELECT * FROM api_keys WHERE id = ?", keyId).toArray()[0] ?? null;
}

function hashesEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

function toKeyInfo(row: KeyRow): KeyInfo {
  return {
    id: row.id,
    label: row.label,
    created_at: new Date(row.created_at).toISOString(),
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}
