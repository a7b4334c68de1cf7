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

export async function existingRunStub(
  env: DurableObjectBindings,
  tenant: string,
  runId: string,
): Promise<RunRpc> {
  await unwrap(tenantStub(env, tenant).requireRun(tenant, runId));
  return runStub(env, tenant, runId);
}
