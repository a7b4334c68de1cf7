/**
 * @module
 * Tenant lifecycle, as used by `/admin/tenants/:id/suspend`, `/resume` and `DELETE
 * /admin/tenants/:id`. Suspension is a state of the tenant's DO, the one authority every request
 * of the tenant passes (its key check, webhook intake, event intake, the alarms of its runs).
 * Deletion is a sequence of idempotent steps, each safe to repeat: the DO stops answering for the
 * tenant, its runs are erased a page at a time, then its plugin data in KV and R2, then the DO's
 * own storage, and last its registry entry, so an interrupted deletion is finished by calling
 * again (until the registry entry goes, the tenant is still found). docs/operations.md, "Tenant
 * lifecycle", says what is kept and what is removed.
 */
import { unwrap } from "../../durable-objects/outcome.ts";
import type { TenantLifecycle } from "../../durable-objects/tenant/contracts.ts";
import type { Env } from "../env.ts";
import { assertTenantId } from "./tenant-id.ts";
import { eraseKvPrefix, eraseR2Prefix, pluginKvPrefix, pluginR2Prefix } from "./tenant-plugin-data.ts";
import { registeredTenantStub, unregisterTenant } from "./tenant-registry.ts";

/** Most pages of runs (50 each, tenant-erasure.ts) one DELETE call erases: 2,000 runs. */
export const RUN_PAGES_PER_CALL = 40;

/** The lifecycle actions the audit log records (wired by the audit log: see `recordLifecycle`). */
export type LifecycleAction = "tenant.suspend" | "tenant.resume" | "tenant.delete";

export interface TenantDeletion {
  tenant: string;
  /** true: everything is gone; false: more remains, call DELETE again (answered 202) */
  deleted: boolean;
  /** what this call erased */
  erased: { runs: number; kv_keys: number; r2_objects: number };
}

export async function suspendTenant(env: Env, id: string, reason?: string): Promise<TenantLifecycle> {
  assertTenantId(id);
  const lifecycle = await unwrap((await registeredTenantStub(env, id)).suspend(id, reason));
  recordLifecycle("tenant.suspend", id);
  return lifecycle;
}

export async function resumeTenant(env: Env, id: string): Promise<TenantLifecycle> {
  assertTenantId(id);
  const lifecycle = await unwrap((await registeredTenantStub(env, id)).resume(id));
  recordLifecycle("tenant.resume", id);
  return lifecycle;
}

/**
 * Deletes the tenant, or as much of it as one call's budget allows (`deleted: false`: call again).
 * `tenant.not_found` once the deletion has finished.
 */
export async function deleteTenant(env: Env, id: string): Promise<TenantDeletion> {
  assertTenantId(id);
  const stub = await registeredTenantStub(env, id);
  const begun = await unwrap(stub.beginDeletion(id));
  if (!begun.erased) recordLifecycle("tenant.delete", id);
  const erased = { runs: 0, kv_keys: 0, r2_objects: 0 };
  const partly = (): TenantDeletion => ({ tenant: id, deleted: false, erased });

  for (let page = 0; ; page += 1) {
    const { erased: runs, remaining } = await unwrap(stub.eraseRuns(id));
    erased.runs += runs;
    if (remaining === 0) break;
    // out of budget, or no progress (a RunDO unreachable): the next call continues
    if (page + 1 >= RUN_PAGES_PER_CALL || runs === 0) return partly();
  }
  const kv = await eraseKvPrefix(env.STATE_KV, pluginKvPrefix(id));
  erased.kv_keys = kv.deleted;
  if (!kv.done) return partly();
  const r2 = await eraseR2Prefix(env.FILES, pluginR2Prefix(id));
  erased.r2_objects = r2.deleted;
  if (!r2.done) return partly();
  await unwrap(stub.eraseTenant(id));
  await unregisterTenant(env, id);
  return { tenant: id, deleted: true, erased };
}

/**
 * The one call site per lifecycle action for the audit log (issue 15, branch i15-audit): a no-op
 * until the audit log is merged. `tenant.delete` is recorded once, when the deletion begins (the
 * tenant's own log is erased with it, so the audit log must keep this entry outside the tenant).
 */
function recordLifecycle(_action: LifecycleAction, _tenant: string): void {
  // audit: wire the audit log's append here (action, tenant, admin actor, request id)
}
