/**
 * Attack tests (session 7, candidate 66c4418 "per-isolate memo of admitted MCP callers",
 * worker/keys/admitted-callers.ts, worker/keys/admit-through-memo.ts). Each asserts the SECURE
 * behaviour; the ones marked FAILS TODAY demonstrate a finding.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { ADMITTED_CALLER_MS, AdmittedCallers } from "../../worker/keys/admitted-callers.ts";
import { hashApiKey } from "../../worker/keys/api-key.ts";
import { adminFetch, newTenant } from "./support/clients.ts";
import { grantWithKey, SECURE_BASE, toolCallError } from "./support/oauth-client.ts";
import { advanceClock, freezeInWindow, setSettings } from "./support/rate-limits.ts";
import { tenantObject } from "./support/runs.ts";

afterEach(() => {
  vi.useRealTimers();
});

let rpc = 0;
async function ping(
  base: string,
  key: string,
  extra: Record<string, string> = {},
  body?: string,
): Promise<Response> {
  rpc += 1;
  return SELF.fetch(`${base}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      authorization: `Bearer ${key}`,
      ...extra,
    },
    body: body ?? JSON.stringify({ jsonrpc: "2.0", id: rpc, method: "ping" }),
  });
}

/** Sends `n` pings, returns how many were served (200). */
async function served(base: string, key: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i += 1) {
    const res = await ping(base, key);
    await res.text();
    if (res.status === 200) ok += 1;
  }
  return ok;
}

async function secondKey(tenant: string): Promise<{ apiKey: string; keyId: string }> {
  const res = await adminFetch(`/admin/tenants/${tenant}/keys`, { method: "POST" });
  const body = (await res.json()) as { apiKey: string; key: { id: string } };
  return { apiKey: body.apiKey, keyId: body.key.id };
}

async function mcpUsed(tenant: string): Promise<number> {
  const rows = await runInDurableObject(tenantObject(tenant), (_i, state) =>
    state.storage.sql
      .exec<{ used: number }>("SELECT used FROM rate_limit_windows WHERE bucket = 'mcp'")
      .toArray(),
  );
  return rows[0]?.used ?? 0;
}

describe("rate limit: the tenant-wide mcp limit holds with the memo warm", () => {
  // FAILS TODAY: each caller (key, sign-in-link grant) has its own entry, each trusting the
  // `remaining` the TenantDO reported to IT; two keys of one tenant in one isolate serve 2L-1.
  for (const base of ["http://edgeflow.test", SECURE_BASE]) {
    it(`two keys of one tenant in one isolate serve no more than the tenant's limit (${base})`, async () => {
      const limit = 5;
      const tenant = await newTenant("atk-2keys");
      const other = await secondKey(tenant.id);
      await setSettings(tenant.id, { rate_limit_mcp_per_minute: limit });
      freezeInWindow(1);
      const total = (await served(base, tenant.apiKey, limit)) + (await served(base, other.apiKey, limit));
      expect(total).toBeLessThanOrEqual(limit);
    });
  }

  // FAILS TODAY: what another isolate admits meanwhile is not seen; this isolate's entry still
  // serves the whole `remaining` it was told (the "other isolate" is the TenantDO called directly,
  // as the module's own tests simulate other isolates).
  it("units another isolate took are not served again from this isolate's memo", async () => {
    const limit = 5;
    const tenant = await newTenant("atk-xiso");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: limit });
    freezeInWindow(1);
    expect(await served(SECURE_BASE, tenant.apiKey, 1)).toBe(1); // remembered with remaining 4
    const hash = await hashApiKey(tenant.apiKey);
    const elsewhere = await unwrap(
      tenantStub(env, tenant.id).authenticate(tenant.id, tenant.keyId, hash, {
        surface: "mcp",
        cost: limit - 1,
      }),
    );
    expect(elsewhere.rateLimit?.admitted).toBe(true); // the window is now full at the TenantDO
    const more = await served(SECURE_BASE, tenant.apiKey, limit);
    expect(1 + (limit - 1) + more).toBeLessThanOrEqual(limit);
  });

  it("after the bound, the durable count includes every unit served from memory (one key)", async () => {
    const limit = 5;
    const tenant = await newTenant("atk-count");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: limit });
    freezeInWindow(1);
    const ok = await served(SECURE_BASE, tenant.apiKey, limit + 3);
    expect(ok).toBe(limit);
    advanceClock(ADMITTED_CALLER_MS);
    await served(SECURE_BASE, tenant.apiKey, 1);
    expect(await mcpUsed(tenant.id)).toBe(limit);
  });
});

describe("revocation under steady traffic (https origin: the provider's resolveExternalToken path)", () => {
  it("a key revoked elsewhere is refused within ADMITTED_CALLER_MS however steady the traffic", async () => {
    const tenant = await newTenant("atk-steady");
    const start = freezeInWindow(1);
    expect((await ping(SECURE_BASE, tenant.apiKey)).status).toBe(200); // asked at start
    await unwrap(tenantStub(env, tenant.id).revokeKey(tenant.id, tenant.keyId));
    let lastServed = start;
    for (let step = 0; step < 20; step += 1) {
      advanceClock(100);
      const res = await ping(SECURE_BASE, tenant.apiKey);
      await res.text();
      if (res.status === 200) lastServed = Date.now();
    }
    expect(lastServed - start).toBeLessThan(ADMITTED_CALLER_MS);
  });

  it("an OAuth grant approved with a key, sharing the key's entry, stops within the bound once the key is revoked", async () => {
    const tenant = await newTenant("atk-grant");
    const { tokens } = await grantWithKey(tenant.apiKey);
    const start = freezeInWindow(1);
    expect((await ping(SECURE_BASE, tenant.apiKey)).status).toBe(200);
    expect((await ping(SECURE_BASE, tokens.access_token)).status).toBe(200);
    await unwrap(tenantStub(env, tenant.id).revokeKey(tenant.id, tenant.keyId));
    advanceClock(ADMITTED_CALLER_MS);
    const res = await ping(SECURE_BASE, tokens.access_token);
    expect(res.status).toBe(401);
    expect(Date.now() - start).toBe(ADMITTED_CALLER_MS);
  });

  it("a narrow-scope grant gets no wider scopes from the key's warm entry", async () => {
    const tenant = await newTenant("atk-scope");
    const { tokens } = await grantWithKey(tenant.apiKey, ["runs:read"]);
    freezeInWindow(1);
    expect((await ping(SECURE_BASE, tenant.apiKey)).status).toBe(200); // the shared entry is warm, all scopes
    const publish = await toolCallError(tokens.access_token, "workflow_publish", {
      yaml: 'name: "atk:scope"\ndescription: "x"\nsteps: []\n',
    });
    expect(publish?.code).toBe("auth.insufficient_scope");
  });

  it("a key with another tenant's id in it never matches the warm entry of that tenant", async () => {
    const a = await newTenant("atk-a");
    const b = await newTenant("atk-b");
    freezeInWindow(1);
    expect((await ping(SECURE_BASE, b.apiKey)).status).toBe(200);
    // A's secret under B's tenant id and B's key id
    const secretA = a.apiKey.split("_").slice(3).join("_");
    const forged = `efk_${b.id}_${b.keyId}_${secretA}`;
    expect((await ping(SECURE_BASE, forged)).status).toBe(401);
  });
});

describe("https /mcp does not tell a registered tenant from an unknown one (old finding, memo path)", () => {
  function shapeOf(res: Response): Record<string, unknown> {
    const names = [...res.headers.keys()].filter((name) => name !== "x-request-id" && name !== "date").sort();
    return {
      status: res.status,
      names,
      cacheControl: res.headers.get("cache-control"),
      allowOrigin: res.headers.get("access-control-allow-origin"),
    };
  }

  // FAILS TODAY: a bad key of a registered tenant passes the entry (presented-key.ts only checks
  // shape + registry) and is refused by the app (CORS headers, x-request-id, no cache-control);
  // an unknown tenant is refused by the provider's onError (cache-control: no-store, no CORS).
  for (const origin of [undefined, "https://evil.example"]) {
    it(`a wrong secret of a registered tenant and a key of an unknown tenant get the same 401 (origin ${origin})`, async () => {
      const tenant = await newTenant("atk-enum");
      const extra: Record<string, string> = origin === undefined ? {} : { origin };
      const wrongSecret = `${tenant.apiKey.slice(0, -4)}AAAA`;
      const unknownTenant = tenant.apiKey.replace(tenant.id, "nobody-never-created");
      const registered = await ping(SECURE_BASE, wrongSecret, extra);
      const unknown = await ping(SECURE_BASE, unknownTenant, extra);
      expect(registered.status).toBe(401);
      expect(shapeOf(registered)).toEqual(shapeOf(unknown));
    });
  }

  // FAILS TODAY: same oracle for a revoked key (refused through the memo path, by the app)
  it("a revoked key of a registered tenant and a key of an unknown tenant get the same 401", async () => {
    const tenant = await newTenant("atk-enum-revoked");
    await unwrap(tenantStub(env, tenant.id).revokeKey(tenant.id, tenant.keyId));
    const revoked = await ping(SECURE_BASE, tenant.apiKey);
    const unknown = await ping(SECURE_BASE, tenant.apiKey.replace(tenant.id, "nobody-never-created"));
    expect(revoked.status).toBe(401);
    expect(shapeOf(revoked)).toEqual(shapeOf(unknown));
  });

  // FAILS TODAY: 413 (body limit, app) for a registered tenant's bad key, 401 (provider) for an unknown one
  it("an oversized body answers the same for a registered tenant's bad key and an unknown tenant's", async () => {
    const tenant = await newTenant("atk-enum-big");
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "ping",
      params: { pad: "x".repeat(1_100_000) },
    });
    const registered = await ping(SECURE_BASE, `${tenant.apiKey.slice(0, -4)}AAAA`, {}, big);
    const unknown = await ping(
      SECURE_BASE,
      tenant.apiKey.replace(tenant.id, "nobody-never-created"),
      {},
      big,
    );
    expect(registered.status).toBe(unknown.status);
  });
});

describe("the memo itself (AdmittedCallers on a test clock)", () => {
  const verdict = (remaining: number) => ({
    admitted: true,
    limit: 5,
    remaining,
    resetMs: 59_000,
    windowSeconds: 60,
    policy: "mcp",
  });

  // FAILS TODAY: two asks in flight; the later-charged answer (remaining 2) lands first and its
  // units are spent, then the earlier-charged one (remaining 3) overwrites it: one unit more.
  it("an older answer landing last does not raise what the entry may admit", () => {
    let now = 1_000_000;
    const memo = new AdmittedCallers(() => now);
    // DO order: ask A charged (remaining 3), ask B charged (remaining 2); answers land B, then A
    memo.remember("t", "key:k:h", now, verdict(2) as never);
    let fromMemo = 0;
    while (memo.admit("t", "key:k:h", 1) !== undefined) fromMemo += 1;
    memo.remember("t", "key:k:h", now - 5, verdict(3) as never);
    while (memo.admit("t", "key:k:h", 1) !== undefined) fromMemo += 1;
    now += 1;
    expect(fromMemo).toBeLessThanOrEqual(2);
  });

  // FAILS TODAY: an ask in flight when this isolate's admin route revoked the key lands after
  // forgetTenant and re-fills the entry, so "the very next call through this isolate" is admitted.
  it("an answer asked before forgetTenant does not re-fill the entry after it", () => {
    const now = 1_000_000;
    const memo = new AdmittedCallers(() => now);
    const askedAt = now;
    memo.forgetTenant("t"); // the admin revoked the key through this isolate
    memo.remember("t", "key:k:h", askedAt, verdict(4) as never);
    expect(memo.admit("t", "key:k:h", 1)).toBeUndefined();
  });
});
