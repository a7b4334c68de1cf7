/**
 * @module
 * Whether a tenant is active, suspended by the operator, or being deleted: one entry
 * (`lifecycle`) in the TenantDO's synchronous key-value storage, absent for an active tenant (so
 * every tenant created before this existed is active and nothing is written for the common case).
 * The TenantDO is the one authority: the worker's registry (KV, eventually consistent) does not
 * carry this state, so a resumed tenant is never refused by a stale copy. The guards here throw
 * the coded errors the TenantDO's tenant-facing methods answer with. No I/O beyond that entry.
 */
import { EngineError } from "../../engine/errors.ts";
import type { TenantLifecycle } from "./contracts.ts";

const KEY = "lifecycle";

interface StoredLifecycle {
  status: "suspended" | "deleting";
  since: number;
  reason?: string;
}

export function readLifecycle(kv: SyncKvStorage): TenantLifecycle {
  const stored = kv.get<StoredLifecycle>(KEY);
  if (stored === undefined) return { status: "active" };
  return {
    status: stored.status,
    since: new Date(stored.since).toISOString(),
    ...(stored.reason === undefined ? {} : { reason: stored.reason }),
  };
}

export function isActive(kv: SyncKvStorage): boolean {
  return kv.get<StoredLifecycle>(KEY) === undefined;
}

/** Suspends the tenant (again: the newest reason and time win). A tenant being deleted stays so. */
export function markSuspended(kv: SyncKvStorage, now: number, reason?: string): TenantLifecycle {
  refuseWhileDeleting(kv);
  kv.put<StoredLifecycle>(KEY, {
    status: "suspended",
    since: now,
    ...(reason === undefined ? {} : { reason }),
  });
  return readLifecycle(kv);
}

/** Makes the tenant active again; resuming an active tenant is a no-op. */
export function markActive(kv: SyncKvStorage): TenantLifecycle {
  refuseWhileDeleting(kv);
  kv.delete(KEY);
  return readLifecycle(kv);
}

/** Marks the tenant as being deleted: from now on it behaves as if it did not exist. */
export function markDeleting(kv: SyncKvStorage, now: number): void {
  if (readLifecycle(kv).status !== "deleting")
    kv.put<StoredLifecycle>(KEY, { status: "deleting", since: now });
}

/** `tenant.suspended` for a suspended tenant; a tenant being deleted is refused as unknown by `unknown`. */
export function requireActive(kv: SyncKvStorage, tenant: string, unknown: () => EngineError): void {
  const { status } = readLifecycle(kv);
  if (status === "active") return;
  if (status === "deleting") throw unknown();
  throw suspendedError(tenant);
}

export function suspendedError(tenant: string): EngineError {
  return new EngineError(
    "tenant.suspended",
    `Tenant "${tenant}" is suspended: its requests are refused and its triggers paused until the operator resumes it; its data is kept. Contact the operator of this edgeflow deployment.`,
  );
}

function refuseWhileDeleting(kv: SyncKvStorage): void {
  if (readLifecycle(kv).status === "deleting") {
    throw new EngineError(
      "tenant.deleting",
      "The tenant is being deleted; call DELETE /admin/tenants/:id again to finish the deletion.",
    );
  }
}
