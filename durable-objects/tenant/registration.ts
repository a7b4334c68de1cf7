/**
 * @module
 * The tenant's own row: whether this DO has been created as a tenant, and when. An uncreated
 * TenantDO answers every key lookup with `auth.invalid_key` and admin calls with `tenant.not_found`.
 */
import { EngineError } from "../../engine/errors.ts";
import { isCreated } from "../storage/schema-migrations.ts";
import type { TenantInfo } from "./contracts.ts";

interface TenantRow extends Record<string, SqlStorageValue> {
  id: string;
  created_at: number;
}

/** The tenant's row; null for an object that was never created as a tenant (no schema: nothing is written). */
export function readTenant(sql: SqlStorage): TenantInfo | null {
  if (!isCreated(sql)) return null;
  const row = sql.exec<TenantRow>("SELECT id, created_at FROM tenant LIMIT 1").toArray()[0];
  return row ? { id: row.id, created_at: new Date(row.created_at).toISOString() } : null;
}

export function requireTenant(sql: SqlStorage, id: string): TenantInfo {
  const tenant = readTenant(sql);
  if (tenant === null || tenant.id !== id) {
    throw new EngineError("tenant.not_found", `Tenant "${id}" does not exist.`);
  }
  return tenant;
}

export function insertTenant(sql: SqlStorage, id: string, now: number): TenantInfo {
  if (readTenant(sql) !== null) throw new EngineError("tenant.exists", `Tenant "${id}" already exists.`);
  sql.exec("INSERT INTO tenant (id, created_at) VALUES (?, ?)", id, now);
  return { id, created_at: new Date(now).toISOString() };
}
