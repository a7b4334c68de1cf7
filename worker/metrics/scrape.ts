/**
 * @module
 * What one `GET /metrics` scrape reads: the caller's tenant's series (a tenant API key), or every
 * tenant's (the admin token, compared in constant time), each series labelled `tenant`. A tenant's
 * series come from its TenantDO (`metricsSnapshot`); the admin scrape lists the tenant registry
 * (`tenant:` keys in KV, at most `MAX_SCRAPED_TENANTS`) and asks `SCRAPE_CONCURRENCY` DOs at a
 * time. A tenant that cannot answer within `TENANT_SCRAPE_TIMEOUT_MS` (slow, being deleted,
 * unreachable) is left out of that scrape and shown as `edgeflow_scrape_errors{tenant} 1`, so one
 * slow TenantDO never stalls the others'.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { secretsEqual } from "../../engine/crypto/constant-time.ts";
import { EngineError } from "../../engine/errors.ts";
import { formatExposition } from "../../engine/metrics/exposition.ts";
import {
  METRIC_FAMILIES,
  METRIC_FAMILY_LIST,
  type MetricSample,
} from "../../engine/metrics/metric-catalog.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { verifyApiKey } from "../middleware/tenant-auth.ts";

/** Most tenants one admin scrape reads (one page of the registry). */
export const MAX_SCRAPED_TENANTS = 1_000;
/** TenantDOs asked at once by an admin scrape. */
const SCRAPE_CONCURRENCY = 20;
/** How long an admin scrape waits for one tenant's series before leaving it out. */
export const TENANT_SCRAPE_TIMEOUT_MS = 2_000;
const REGISTRY_PREFIX = "tenant:";

/** Whose series a bearer token may read: `all` for the admin token, else the key's tenant. */
export async function scrapeScope(
  env: Env,
  presented: string | null,
): Promise<{ all: true } | { tenant: string }> {
  if (presented === null) {
    throw new EngineError(
      RuntimeCodes.authMissingKey,
      "GET /metrics needs `Authorization: Bearer <tenant API key>` (that tenant's series) or the admin token (every tenant's).",
    );
  }
  const admin = env.ADMIN_TOKEN;
  if (admin !== undefined && admin !== "" && (await secretsEqual(presented, admin))) return { all: true };
  const { tenant } = await verifyApiKey(env, presented);
  return { tenant };
}

async function tenantSamples(env: Env, tenant: string): Promise<MetricSample[]> {
  const snapshot = await unwrap(tenantStub(env, tenant).metricsSnapshot(tenant));
  return snapshot.samples.map((sample) => ({ ...sample, labels: { ...sample.labels, tenant } }));
}

async function registeredTenants(env: Env): Promise<string[]> {
  const page = await env.TENANTS.list({ prefix: REGISTRY_PREFIX, limit: MAX_SCRAPED_TENANTS });
  return page.keys.map((key) => key.name.slice(REGISTRY_PREFIX.length));
}

/** The exposition text for a scope. */
export async function scrape(env: Env, scope: { all: true } | { tenant: string }): Promise<string> {
  if ("tenant" in scope) {
    // a tenant key's scrape is one unit of the tenant's `admin` rate limit (`ratelimit.exceeded`, 429)
    await unwrap(tenantStub(env, scope.tenant).admitAdmin(scope.tenant));
    return formatExposition(METRIC_FAMILY_LIST, await tenantSamples(env, scope.tenant));
  }
  const tenants = await registeredTenants(env);
  const samples: MetricSample[] = [];
  for (let start = 0; start < tenants.length; start += SCRAPE_CONCURRENCY) {
    const batch = tenants.slice(start, start + SCRAPE_CONCURRENCY);
    const settled = await Promise.allSettled(
      batch.map((tenant) => withinTimeout(tenantSamples(env, tenant))),
    );
    settled.forEach((result, index) => {
      if (result.status === "fulfilled") samples.push(...result.value);
      else
        samples.push({
          name: METRIC_FAMILIES.scrapeErrors.name,
          labels: { tenant: batch[index] ?? "" },
          value: 1,
        });
    });
  }
  return formatExposition(METRIC_FAMILY_LIST, samples);
}

/** `work`, or a rejection once `ms` passed (the RPC goes on; its answer is ignored). */
export async function withinTimeout<T>(work: Promise<T>, ms = TENANT_SCRAPE_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("scrape timeout")), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
