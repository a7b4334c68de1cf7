/**
 * Issue 16: the webhook route remembers for a few seconds that a tenant is registered
 * (`worker/tenancy/registered-tenant-cache.ts`) instead of reading KV on every delivery. Only
 * "registered" is remembered: an unknown tenant is read again every time and never reaches a
 * Durable Object. A deleted tenant remembered still gets the same 404 from its erased TenantDO
 * (test/worker/tenant-lifecycle-delete.test.ts posts a delivery before the deletion and checks
 * the 404 and that nothing is stored after it).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newTenant } from "./support/clients.ts";
import { DEPLOY_HOOK, HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";

async function push(tenant: string, ref: string) {
  const body = JSON.stringify({ ref });
  return postHook(tenant, "/workflow/trigger", body, await sign("standard", HOOK_SECRET, body));
}

describe("the webhook route's memory of registered tenants", () => {
  it("a registered tenant's next delivery does not read the registry again", async () => {
    const { id, apiKey } = await newTenant("regcache");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(apiKey, DEPLOY_HOOK);
    expect((await push(id, "refs/heads/main")).status).toBe(202);
    const key = `tenant:${id}`;
    const registered = await env.TENANTS.get(key);
    await env.TENANTS.delete(key);
    try {
      // remembered: the delivery reaches the TenantDO, which still holds the tenant
      expect((await push(id, "refs/heads/main")).status).toBe(202);
    } finally {
      await env.TENANTS.put(key, registered!);
    }
  });

  it("an unknown tenant is never remembered", async () => {
    const { id } = await newTenant("regcache");
    const key = `tenant:${id}`;
    const registered = await env.TENANTS.get(key);
    await env.TENANTS.delete(key);
    expect((await push(id, "refs/heads/main")).status).toBe(404);
    await env.TENANTS.put(key, registered!);
    // read again: registered now, the delivery reaches the TenantDO (no subscription there: 404 too,
    // but from the DO's unknown endpoint, which the first one never reached)
    expect((await push(id, "refs/heads/main")).body.error?.code).toBe("hooks.unknown_endpoint");
  });
});
