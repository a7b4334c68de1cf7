/**
 * Test helper for issue 9, class 6: every Durable Object that exists was created on purpose.
 * Reaching an object allocates its storage, so an object with no tenant row (TenantDO) or no run
 * row (RunDO) is one a refused or probing request reached. The hostile suites call this after
 * their generated inputs.
 */
import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { isCreated } from "../../../durable-objects/storage/schema-migrations.ts";

function hasRow(sql: SqlStorage, table: "tenant" | "run"): boolean {
  return isCreated(sql) && sql.exec(`SELECT 1 FROM ${table} LIMIT 1`).toArray().length > 0;
}

export async function expectNoStrayObjects(): Promise<void> {
  const stray: string[] = [];
  for (const id of await listDurableObjectIds(env.TENANT_DO)) {
    const created = await runInDurableObject(env.TENANT_DO.get(id), (_i, state) =>
      hasRow(state.storage.sql, "tenant"),
    );
    if (!created) stray.push(`TenantDO ${id.toString().slice(0, 12)}`);
  }
  for (const id of await listDurableObjectIds(env.RUN_DO)) {
    const created = await runInDurableObject(env.RUN_DO.get(id), (_i, state) =>
      hasRow(state.storage.sql, "run"),
    );
    if (!created) stray.push(`RunDO ${id.toString().slice(0, 12)}`);
  }
  expect(stray, "objects reached but never created").toEqual([]);
}
