/**
 * Test helpers that count what a tenant has stored, read inside its objects: the rows of every
 * table of its TenantDO, and whether a RunDO holds anything at all (tables, key-value entries,
 * an alarm).
 */
import { runInDurableObject } from "cloudflare:test";
import { runObject, tenantObject } from "./runs.ts";

function userTables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .toArray()
    .map((row) => row.name);
}

/** Rows per table of the tenant's DO (no entry for an object with no tables). */
export function tenantTableCounts(tenant: string): Promise<Record<string, number>> {
  return runInDurableObject(tenantObject(tenant), (_instance, state) => {
    const sql = state.storage.sql;
    return Object.fromEntries(
      userTables(sql).map((table) => [
        table,
        sql.exec<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`).one().n,
      ]),
    );
  });
}

export interface StoredObject {
  tables: string[];
  kvEntries: number;
  alarm: number | null;
}

async function storedIn(stub: DurableObjectStub): Promise<StoredObject> {
  return runInDurableObject(stub, async (_instance, state) => ({
    tables: userTables(state.storage.sql),
    kvEntries: [...state.storage.kv.list()].length,
    alarm: await state.storage.getAlarm(),
  }));
}

export function storedInTenant(tenant: string): Promise<StoredObject> {
  return storedIn(tenantObject(tenant));
}

export function storedInRun(tenant: string, runId: string): Promise<StoredObject> {
  return storedIn(runObject(tenant, runId));
}

export const EMPTY_OBJECT: StoredObject = { tables: [], kvEntries: 0, alarm: null };
