/**
 * @module
 * How a tool reaches a run: only after the tenant's run index (or its pending starts) says the run
 * exists. A made-up or deleted run id is answered `run.not_found` by the TenantDO, and its RunDO is
 * never reached, since reaching a Durable Object is what allocates its storage. The RunDO still
 * checks the tenant and id stored in its own row.
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

export async function existingRunStub(
  env: DurableObjectBindings,
  tenant: string,
  runId: string,
): Promise<RunRpc> {
  await unwrap(tenantStub(env, tenant).requireRun(tenant, runId));
  return runStub(env, tenant, runId);
}

/** The audit object of a run, or of one task of it (`<run id>/<task id>`). */
export function runObject(runId: string, taskId?: string): AuditObject {
  return { type: "run", id: taskId === undefined ? runId : `${runId}/${taskId}` };
}

/**
 * Records a change a RunDO made (cancel, state update) in the tenant's audit log. The run's own
 * transition log already holds it with its actor, in the run's transaction; this entry follows it.
 */
export async function recordRunChange(
  env: DurableObjectBindings,
  tenant: string,
  record: AuditRecord,
  audit: AuditContext,
): Promise<void> {
  await unwrap(tenantStub(env, tenant).recordAudit(tenant, record, audit));
}
