/**
 * @module
 * Stores a workflow version through the TenantDO's RPC, which trusts the worker to have run the
 * publish checks: what a version published before a check existed looks like (an `env` read
 * that publish now refuses, for instance). Tests use it to show the run-time guard too.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

export async function storeUnchecked(tenant: string, yaml: string): Promise<void> {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const { name, version, description } = loaded.definition;
  const outcome = await tenantStub(env, tenant).publishWorkflow(tenant, {
    name,
    version,
    description,
    yaml,
    definition: loaded.definition,
    warnings: [],
  });
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
}
