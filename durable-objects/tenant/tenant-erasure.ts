/**
 * @module
 * Deleting a tenant's runs, a page at a time, for `DELETE /admin/tenants/:id`. Every run the
 * tenant may have a RunDO for is named by a row: the run index (`runs`) or a start not yet
 * confirmed (`pending_starts`). Each RunDO erases its storage and alarm (`RunDO.erase`,
 * idempotent, whatever the run's status), and only then its rows go, so a deletion interrupted
 * half way asks the same RunDOs again and finishes. The rest of the tenant's storage goes at once
 * afterwards (`TenantDO.eraseTenant`): it is one object.
 */
import { type DurableObjectBindings, runStub } from "../bindings.ts";

/** Most RunDOs one call erases (each is one call from the TenantDO). */
export const ERASE_PAGE = 50;

export interface ErasedPage {
  /** runs erased by this call */
  erased: number;
  /** runs still to erase (0: done) */
  remaining: number;
}

/** Erases up to `limit` of the tenant's runs; answers how many were erased and how many remain. */
export async function eraseRunPage(
  sql: SqlStorage,
  bindings: DurableObjectBindings,
  tenant: string,
  limit: number = ERASE_PAGE,
): Promise<ErasedPage> {
  const ids = sql
    .exec<{ id: string }>(
      "SELECT id FROM runs UNION SELECT run_id AS id FROM pending_starts ORDER BY id LIMIT ?",
      limit,
    )
    .toArray()
    .map((row) => row.id);
  const results = await Promise.allSettled(
    ids.map(async (id) => {
      const outcome = await runStub(bindings, tenant, id).erase(tenant, id);
      if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
      return id;
    }),
  );
  let erased = 0;
  for (const result of results) {
    if (result.status === "rejected") {
      console.error(`tenant ${tenant}: a run was not erased, the next call retries`, String(result.reason));
      continue;
    }
    sql.exec("DELETE FROM runs WHERE id = ?", result.value);
    sql.exec("DELETE FROM pending_starts WHERE run_id = ?", result.value);
    erased += 1;
  }
  return { erased, remaining: countRunRows(sql) };
}

function countRunRows(sql: SqlStorage): number {
  return (
    sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM (SELECT id FROM runs UNION SELECT run_id FROM pending_starts)",
      )
      .one().n ?? 0
  );
}
