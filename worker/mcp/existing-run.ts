/**
 * @module
 * How a tool reaches a run: only after the tenant's run index (or its pending starts) says the run
 * exists. A made-up or deleted run id is answered `run.not_found` by the TenantDO, and its RunDO is
 * never reached, since reaching a Durable Object is what allocates its storage. The RunDO still
 * checks the tenant and id stored in its own row. A confirmation is remembered by the isolate for
 * at most a second (known-runs.ts), so an agent's loop on one run asks the index once a second.
 */
import {
  type DurableObjectBindings,
  type RunRpc,
  runStub,
  tenantStub,
} from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext, AuditRecord } from "../../durable-objects/tenant/contracts.ts";
import type { AuditObject } from "../../engine/audit/audit-entry.ts";
import { knownRunsOn, recentlyConfirmedRun, rememberConfirmedRun } from "./known-runs.ts";

export async function existingRunStub(
  env: DurableObjectBindings & { EDGEFLOW_MCP_KNOWN_RUNS?: string },
  tenant: string,
  runId: string,
): Promise<RunRpc> {
  const now = Date.now();
  if (!knownRunsOn(env) || !recentlyConfirmedRun(tenant, runId, now)) {
    await unwrap(tenantStub(env, tenant).requireRun(tenant, runId));
    if (knownRunsOn(env)) rememberConfirmedRun(tenant, runId, now);
  }
  return runStub(env, tenant, runId);
}

/** The audit object of a run, or of one task of it (`<run id>/<task id>`). */
export function runObject(runId: string, taskId?: string): AuditObject {
  return { type: "run", id: taskId === undefined ? runId : `${runId}/${taskId}` };
}

/**
 * Applies a change to a run (cancel, state update) with its audit entry written FIRST: the RunDO
 * commits in its own storage, so an entry appended after it could be lost (an error or an
 * eviction in between). The entry is an intent: it is committed before the RunDO is asked. When
 * the RunDO refuses or the call fails, a `<action>_failed` entry with the same object and digests
 * follows. Guarantee: every change a RunDO committed through a tool has an entry before it; an
 * intent without a `_failed` entry means the change was applied, or the worker stopped before it
 * could say otherwise (the run's transition log, with its actor, tells which).
 */
export async function applyAuditedRunChange<T>(
  env: DurableObjectBindings,
  tenant: string,
  intent: AuditRecord & { action: "run.cancel" | "run.state_update" },
  audit: AuditContext,
  apply: () => Promise<T>,
): Promise<T> {
  const tenantDo = tenantStub(env, tenant);
  await unwrap(tenantDo.recordAudit(tenant, intent, audit));
  try {
    return await apply();
  } catch (error) {
    const failed = { ...intent, action: `${intent.action}_failed` as const };
    await tenantDo.recordAudit(tenant, failed, audit).catch(() => undefined);
    throw error;
  }
}
