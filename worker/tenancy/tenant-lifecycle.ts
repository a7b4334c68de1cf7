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
import type { AuditContext, TenantLifecycle } from "../../durable-objects/tenant/contracts.ts";
import type { Env } from "../env.ts";
import { admittedCallers } from "../keys/admitted-callers.ts";
import { revokeTenantGrants } from "../oauth/tenant-grants.ts";
import { assertTenantId } from "./tenant-id.ts";
import { eraseKvPrefix, eraseR2Prefix, pluginKvPrefix, pluginR2Prefix } from "./tenant-plugin-data.ts";
import { registeredTenantStub, unregisterTenant } from "./tenant-registry.ts";

/** Most pages of runs (50 each, tenant-erasure.ts) one DELETE call erases: 2,000 runs. */
export const RUN_PAGES_PER_CALL = 40;

/** The lifecycle actions audited: suspend and resume in the tenant's log, delete in the worker's log. */
export type LifecycleAction = "tenant.suspend" | "tenant.resume" | "tenant.delete";

export interface TenantDeletion {
  tenant: string;
  /** true: everything is gone; false: more remains, call DELETE again (answered 202) */
  deleted: boolean;
  /** what this call erased */
  erased: { runs: number; kv_keys: number; r2_objects: number };
}

/** Suspends the tenant; its DO appends `tenant.suspend` to the tenant's audit log with the change. */
export async function suspendTenant(
  env: Env,
  id: string,
  reason: string | undefined,
  audit: AuditContext,
): Promise<TenantLifecycle> {
  assertTenantId(id);
  const suspended = await unwrap((await registeredTenantStub(env, id)).suspend(id, reason, audit));
  admittedCallers.forgetTenant(id); // this isolate learns it at once; others within a second
  return suspended;
}

/** Resumes the tenant; its DO appends `tenant.resume` (when it was suspended) with the change. */
export async function resumeTenant(env: Env, id: string, audit: AuditContext): Promise<TenantLifecycle> {
  assertTenantId(id);
  return unwrap((await registeredTenantStub(env, id)).resume(id, audit));
}

/**
 * Deletes the tenant, or as much of it as one call's budget allows (`deleted: false`: call again).
 * `tenant.not_found` once the deletion has finished. First, every OAuth grant of the tenant is
 * revoked and its sign-in links withdrawn (worker/oauth/tenant-grants.ts), so no token outlives
 * the tenant or comes back if the id is registered again.
 */
export async function deleteTenant(env: Env, id: string, audit: AuditContext): Promise<TenantDeletion> {
  assertTenantId(id);
  const stub = await registeredTenantStub(env, id);
  const begun = await unwrap(stub.beginDeletion(id));
  admittedCallers.forgetTenant(id); // this isolate learns it at once; others within a second
  if (!begun.erased) {
    recordDeletion(id, audit);
    // before the DO is erased (the links live there); a call after that finds it already done
    await revokeTenantGrants(env, id, audit);
  }
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
 * The record of a deletion. The tenant's own audit log is erased with the tenant, so a deletion is
 * recorded in the worker's logs instead (Workers Logs / `wrangler tail`): one JSON line, once, when
 * the deletion begins. No secret: the tenant id, the actor (`admin`) and the request id.
 */
function recordDeletion(tenant: string, audit: AuditContext): void {
  console.log(
    JSON.stringify({
      audit: "tenant.delete" satisfies LifecycleAction,
      tenant,
      actor: audit.actor,
      request_id: audit.requestId ?? null,
      at: new Date().toISOString(),
    }),
  );
}
