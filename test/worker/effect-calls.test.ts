/**
 * One effect performed by the TenantDO's effect runner, in workerd against the local HTTP target:
 * the circuit breaker's three states (clock passed in, as the DO passes `Date.now`), the egress
 * rule when the deployment does not allow private targets, the per-call timeout and the response
 * size cap. The runner is called inside a real TenantDO with its real storage and secret vault.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CircuitStore } from "../../durable-objects/tenant/circuit-store.ts";
import { runEffect } from "../../durable-objects/tenant/effect-runner.ts";
import { SecretVault } from "../../durable-objects/tenant/secret-vault.ts";
import type { EffectIntent, EffectOutcome } from "../../engine/plugins/effect.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { service, target, targetLog, testPluginFinder, testServiceSource } from "./support/effects.ts";
import { pluginTargets } from "./support/plugin-context.ts";
import { tenantObject } from "./support/runs.ts";

function call(service: string, method: string, extra: Partial<EffectIntent> = {}): EffectIntent {
  const key = `wf_x:main:${method}:${crypto.randomUUID()}`;
  return {
    id: `${key}#1`,
    kind: "call",
    idempotencyKey: key,
    threadId: "main",
    stepId: "s",
    attempt: 1,
    service,
    method,
    params: {},
    requestedAt: 0,
    ...extra,
  };
}

type Perform = (
  effect: EffectIntent,
  options?: { now?: number; allowPrivate?: boolean },
) => Promise<EffectOutcome>;

/**
 * Runs effects inside the tenant's own DO, with its storage, its vault and a given clock; the
 * services are the test's own (`service`), the plugins the first-party ones plus `http-test`.
 */
function performer(tenant: string): Perform {
  return (effect, options = {}) =>
    runInDurableObject(tenantObject(tenant), (_instance, state) =>
      runEffect(
        tenant,
        { runId: "wf_x", workflow: "test:x", version: "1.0.0", effect },
        {
          services: testServiceSource(tenant),
          plugins: testPluginFinder,
          secrets: new SecretVault(state.storage.sql, "test-secrets-key-0123456789abcdef0123456789abcdef"),
          circuits: new CircuitStore(state.storage.kv),
          bindings: {},
          allowPrivateEgress: options.allowPrivate ?? true,
          now: () => options.now ?? 0,
        },
      ),
    );
}

function circuitsAt(tenant: string, now: number) {
  return runInDurableObject(tenantObject(tenant), (_instance, state) =>
    new CircuitStore(state.storage.kv).list(now),
  );
}

describe("circuit breaker per tenant and service", () => {
  it("opens after N consecutive failures, fails fast, half-opens after the cool-down, closes on success", async () => {
    const tenant = await newTenant("cb");
    const config = {
      base_url: `${target()}/status`,
      circuit: { failure_threshold: 2, cool_down_seconds: 30 },
    };
    service(tenant.id, "flaky", "http-test", config);
    service(tenant.id, "fine", "http-test", { ...config, base_url: `${target()}/echo` });
    const perform = performer(tenant.id);
    // the DO's clock is Date.now(); the test passes times from one reading of it, plus offsets
    const t0 = Date.now();
    const before = (await targetLog()).length;
    expect(await perform(call("flaky", "500"), { now: t0 })).toMatchObject({
      ok: false,
      code: "external.http_status",
    });
    expect(await perform(call("flaky", "500"), { now: t0 + 1_000 })).toMatchObject({
      ok: false,
      code: "external.http_status",
    });
    // open: fails fast, the target sees nothing more
    expect(await perform(call("flaky", "500"), { now: t0 + 2_000 })).toMatchObject({
      ok: false,
      code: "external.circuit_open",
      retryAfterSeconds: 29,
    });
    expect((await targetLog()).length - before).toBe(2);
    // another service of the tenant is not affected
    expect(await perform(call("fine", "ping"), { now: t0 + 2_000 })).toMatchObject({ ok: true });
    const circuits = await callTool(tenant.apiKey, "service_circuits");
    expect(circuits.structured.circuits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          service: "flaky",
          status: "open",
          consecutive_failures: 2,
          failure_threshold: 2,
        }),
        expect.objectContaining({ service: "fine", status: "closed", consecutive_failures: 0 }),
      ]),
    );
    expect(await circuitsAt(tenant.id, t0 + 31_000)).toContainEqual(
      expect.objectContaining({ service: "flaky", status: "half_open" }),
    );
    // half-open after the cool-down: one trial goes out; its failure opens the circuit again
    expect(await perform(call("flaky", "500"), { now: t0 + 32_000 })).toMatchObject({
      code: "external.http_status",
    });
    expect(await perform(call("flaky", "500"), { now: t0 + 33_000 })).toMatchObject({
      code: "external.circuit_open",
    });
    // the next trial succeeds and closes it
    service(tenant.id, "flaky", "http-test", { ...config, base_url: `${target()}/echo` });
    expect(await perform(call("flaky", "ok"), { now: t0 + 62_001 })).toMatchObject({ ok: true });
    expect(await perform(call("flaky", "ok"), { now: t0 + 62_002 })).toMatchObject({ ok: true });
    expect(await circuitsAt(tenant.id, t0 + 62_003)).toContainEqual(
      expect.objectContaining({ service: "flaky", status: "closed", consecutive_failures: 0 }),
    );
  });

  it("is the tenant's own: another tenant's failures do not open it", async () => {
    const a = await newTenant("cb");
    const b = await newTenant("cb");
    const config = { base_url: `${target()}/status`, circuit: { failure_threshold: 1 } };
    service(a.id, "api", "http-test", config);
    service(b.id, "api", "http-test", config);
    expect(await performer(a.id)(call("api", "500"))).toMatchObject({ code: "external.http_status" });
    expect(await performer(a.id)(call("api", "500"))).toMatchObject({ code: "external.circuit_open" });
    expect(await performer(b.id)(call("api", "500"))).toMatchObject({ code: "external.http_status" });
  });
});

describe("egress and limits", () => {
  it("refuses loopback targets unless EDGEFLOW_ALLOW_PRIVATE_EGRESS is set, and calls nothing", async () => {
    const tenant = await newTenant("eg");
    service(tenant.id, "local", "http-test", { base_url: `${target()}/echo` });
    const perform = performer(tenant.id);
    const before = (await targetLog()).length;
    expect(await perform(call("local", "x"), { allowPrivate: false })).toMatchObject({
      ok: false,
      code: "external.egress_refused",
    });
    expect((await targetLog()).length).toBe(before);
    expect(await perform(call("local", "x"), { allowPrivate: true })).toMatchObject({ ok: true });
    // refusals are not the service's fault: the circuit does not count them
    for (let i = 0; i < 6; i += 1) await perform(call("local", "x"), { allowPrivate: false });
    expect(await perform(call("local", "x"), { allowPrivate: true })).toMatchObject({ ok: true });
  });

  it("refuses a redis host written as a number (2130706433 is 127.0.0.1) and connects to the host it checked", async () => {
    const tenant = await newTenant("eg");
    const { redisPassword, redisPort } = pluginTargets();
    for (const host of ["2130706433", "127.1", "0x7f.0.0.1", "0177.0.0.1"]) {
      service(tenant.id, "cache", "redis", { url: `redis://:${redisPassword}@${host}:${redisPort}` });
      const effect = call("cache", "get", { params: { key: "k" } });
      expect(await performer(tenant.id)(effect, { allowPrivate: false })).toMatchObject({
        ok: false,
        code: "external.egress_refused",
      });
      // allowed, the same form reaches the local redis-server through its normalised address
      expect(await performer(tenant.id)(effect, { allowPrivate: true })).toMatchObject({ ok: true });
    }
  });

  it("refuses a scheme other than http(s)", async () => {
    const tenant = await newTenant("eg");
    service(tenant.id, "files", "http-test", { base_url: "file:///etc" });
    // the test plugin's own config check accepts the URL; the context's fetch refuses it
    expect(await performer(tenant.id)(call("files", "passwd"))).toMatchObject({
      code: "external.egress_refused",
    });
  });

  it("caps the response body (external.too_large) and times the call out (external.timeout)", async () => {
    const tenant = await newTenant("lim");
    service(tenant.id, "target", "http-test", { base_url: target() });
    const perform = performer(tenant.id);
    expect(await perform(call("target", "big"))).toMatchObject({ ok: false, code: "external.too_large" });
    expect(await perform(call("target", "slow", { timeoutSeconds: 1 }))).toMatchObject({
      ok: false,
      code: "external.timeout",
    });
  });

  it("a missing secret fails the call without naming a value", async () => {
    const tenant = await newTenant("sec");
    service(tenant.id, "api", "http-test", { base_url: `${target()}/echo` });
    const outcome = await performer(tenant.id)(
      call("api", "x", { auth: { type: "bearer", token: "{{ env.MISSING }}" } }),
    );
    expect(outcome).toMatchObject({ ok: false, code: "secret.not_found" });
  });
});
