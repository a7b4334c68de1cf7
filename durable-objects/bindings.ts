/**
 * @module
 * The Durable Object namespaces and how instances are named. A tenant's DO is named by the
 * tenant id; a run's DO by `<tenant>/<run id>`, so a run id presented with another tenant's key
 * reaches an empty RunDO that answers `run.not_found`: isolation by construction.
 */
import type { RunDO } from "./run-do.ts";
import type { TenantDO } from "./tenant-do.ts";

export interface DurableObjectBindings {
  TENANT_DO: DurableObjectNamespace<TenantDO>;
  RUN_DO: DurableObjectNamespace<RunDO>;
}

/**
 * A DO's RPC methods as the caller sees them: the same signatures, always async. Workers' own
 * stub typing turns any result that contains `unknown` (state values, step definitions) into
 * `never`; the values do arrive (structured clone of plain JSON), so the plain types are the
 * accurate ones. Only this file casts.
 */
export type RpcOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export type TenantRpc = RpcOf<Omit<TenantDO, keyof DurableObject>>;
export type RunRpc = RpcOf<Omit<RunDO, keyof DurableObject>>;

export function tenantStub(env: DurableObjectBindings, tenant: string): TenantRpc {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(tenant)) as unknown as TenantRpc;
}

export function runStub(env: DurableObjectBindings, tenant: string, runId: string): RunRpc {
  return env.RUN_DO.get(env.RUN_DO.idFromName(`${tenant}/${runId}`)) as unknown as RunRpc;
}

/** `wf_` and 24 hex digits (96 random bits). */
export const RUN_ID_PATTERN = /^wf_[0-9a-f]{24}$/;

export function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `wf_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
