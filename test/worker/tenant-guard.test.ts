/**
 * The TenantDO's one tenant guard: every public method, called with another tenant's id, answers
 * `tenant.not_found` before it touches anything (arguments are left undefined: a method that
 * skipped the guard would fail on them instead). A new method is called here without being
 * listed, so it cannot forget the guard unnoticed. The three that answer an unknown tenant their
 * own way are checked by name. Secrets leave the TenantDO only as capabilities: its vault has no
 * method that answers a value.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Outcome } from "../../durable-objects/outcome.ts";
import { SecretVault } from "../../durable-objects/tenant/secret-vault.ts";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import { newTenant } from "./support/clients.ts";

/** Methods that are not RPC entry points of a tenant's data. */
const NOT_RPC = new Set(["constructor", "alarm", "fetch"]);
/** Methods with their own answer for a tenant that is not this one. */
const OWN_ANSWER: Record<string, string> = {
  createTenant: "tenant.exists",
  authenticate: "auth.invalid_key",
  receiveWebhook: "hooks.unknown_endpoint",
};

type Method = (tenant: string, ...rest: unknown[]) => Promise<Outcome<unknown>>;

function tenantDO(tenant: string): DurableObjectStub<TenantDO> {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(tenant));
}

function rpcMethods(instance: TenantDO): string[] {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).filter(
    (name) => !NOT_RPC.has(name) && typeof Reflect.get(instance, name) === "function",
  );
}

describe("the tenant guard", () => {
  it("answers tenant.not_found from every tenant-scoped method called with another tenant", async () => {
    const { id } = await newTenant("guard");
    await runInDurableObject(tenantDO(id), async (instance: TenantDO) => {
      const guarded = rpcMethods(instance).filter((name) => !Object.hasOwn(OWN_ANSWER, name));
      expect(guarded.length).toBeGreaterThanOrEqual(20);
      for (const name of guarded) {
        const method = Reflect.get(instance, name) as Method;
        const outcome = await method.call(instance, `${id}-other`, undefined, undefined, undefined);
        expect([name, outcome.ok ? "ok" : outcome.error.code]).toEqual([name, "tenant.not_found"]);
      }
    });
  });

  it("leaves only createTenant, authenticate and receiveWebhook to answer for themselves", async () => {
    const { id, keyId } = await newTenant("guard");
    await runInDurableObject(tenantDO(id), async (instance: TenantDO) => {
      const own = rpcMethods(instance).filter((name) => Object.hasOwn(OWN_ANSWER, name));
      expect(own.sort()).toEqual(Object.keys(OWN_ANSWER).sort());
      const created = await instance.createTenant(`${id}-other`, { keyId: "k_other", hash: "0".repeat(64) });
      const authenticated = await instance.authenticate(`${id}-other`, keyId, "0".repeat(64));
      const webhook = await instance.receiveWebhook(`${id}-other`, {
        endpoint: "/anything",
        headers: {},
        body: new Uint8Array(),
        now: 0,
      });
      expect([created, authenticated, webhook].map((o) => (o.ok ? "ok" : o.error.code))).toEqual([
        OWN_ANSWER.createTenant,
        OWN_ANSWER.authenticate,
        OWN_ANSWER.receiveWebhook,
      ]);
    });
  });
});

describe("the secret vault", () => {
  it("answers names and verdicts, never values (but a capability field resolved for the call it is for)", () => {
    const methods = Object.getOwnPropertyNames(SecretVault.prototype).sort();
    // resolveCapability: the effect runner's only, for the plugin's config (test/worker/effects.test.ts
    // shows the resolved text reaches the target and never the run)
    expect(methods).toEqual(["constructor", "delete", "list", "resolveCapability", "set", "verifyDelivery"]);
  });
});
