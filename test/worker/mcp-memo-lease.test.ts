/**
 * The MCP memo's lease (worker/keys/admitted-callers.ts, TenantRateLimits.admitLeasing): the
 * TenantDO charges ahead the units an isolate may admit from memory, never more than a cap and half
 * of what is left, and takes back the unused ones (same window only) with the caller's next call.
 * Counted in rows of `rate_limit_windows`, never in time.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { MAX_LEASE_UNITS } from "../../durable-objects/tenant/contracts.ts";
import { ADMITTED_CALLER_MS, admittedCallers } from "../../worker/keys/admitted-callers.ts";
import { hashApiKey } from "../../worker/keys/api-key.ts";
import { newTenant } from "./support/clients.ts";
import { advanceClock, freezeInWindow, setSettings } from "./support/rate-limits.ts";
import { tenantObject } from "./support/runs.ts";

afterEach(() => {
  vi.useRealTimers();
});

let rpc = 0;
/** Sends `n` pings through the https origin (the provider's path), returns how many were served. */
async function served(key: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i += 1) {
    rpc += 1;
    const res = await SELF.fetch("https://edgeflow.test/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: rpc, method: "ping" }),
    });
    await res.text();
    if (res.status === 200) ok += 1;
  }
  return ok;
}

async function used(tenant: string, bucket: string): Promise<number> {
  const rows = await runInDurableObject(tenantObject(tenant), (_i, state) =>
    state.storage.sql
      .exec<{ used: number }>("SELECT used FROM rate_limit_windows WHERE bucket = ?", bucket)
      .toArray(),
  );
  return rows[0]?.used ?? 0;
}

describe("the memo's lease", () => {
  it("a steady caller asks the TenantDO about once per lease, the lease growing to its cap", async () => {
    const tenant = await newTenant("lease-steady");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 10_000 });
    freezeInWindow(1);
    const asks = vi.spyOn(admittedCallers, "takeForAsk");
    expect(await served(tenant.apiKey, 300)).toBe(300);
    // leases of 0, 2, 6, 14, 30, 62, then 64: nine asks for 300 calls
    expect(asks.mock.calls.length).toBeLessThanOrEqual(10);
    asks.mockRestore();
  });

  it("units leased and not used go back with the caller's next call", async () => {
    const tenant = await newTenant("lease-refund");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 1_000 });
    freezeInWindow(1);
    expect(await served(tenant.apiKey, 6)).toBe(6);
    expect(await used(tenant.id, "mcp")).toBeGreaterThan(6); // a lease is held ahead
    advanceClock(2 * ADMITTED_CALLER_MS); // the entry is over, and too old to lease again
    expect(await served(tenant.apiKey, 1)).toBe(1);
    expect(await used(tenant.id, "mcp")).toBe(7); // exactly what was served
  });

  it("a per-key limit is never overdrawn by the memo either, whatever another isolate took", async () => {
    const tenant = await newTenant("lease-perkey");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 1_000, rate_limit_mcp_per_key_per_minute: 4 });
    freezeInWindow(1);
    expect(await served(tenant.apiKey, 1)).toBe(1);
    // another isolate (the TenantDO called directly) takes the rest of the key's budget
    const hash = await hashApiKey(tenant.apiKey);
    const elsewhere = await unwrap(
      tenantStub(env, tenant.id).authenticate(tenant.id, tenant.keyId, hash, { surface: "mcp", cost: 3 }),
    );
    expect(elsewhere.rateLimit?.admitted).toBe(true);
    expect(await served(tenant.apiKey, 5)).toBe(0);
    expect(await used(tenant.id, `mcp:key:${tenant.keyId}`)).toBe(4);
  });

  it("the TenantDO leases at most the cap and half of what is left, and refunds only into the lease's window", async () => {
    const tenant = await newTenant("lease-do");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 1_000 });
    const start = freezeInWindow(1);
    const stub = tenantStub(env, tenant.id);
    const hash = await hashApiKey(tenant.apiKey);
    const big = await unwrap(
      stub.authenticate(tenant.id, tenant.keyId, hash, { surface: "mcp", cost: 1, lease: 10_000 }),
    );
    expect(big.rateLimit?.lease?.units).toBe(MAX_LEASE_UNITS);
    expect(await used(tenant.id, "mcp")).toBe(1 + MAX_LEASE_UNITS);
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 1 + MAX_LEASE_UNITS + 11 });
    const small = await unwrap(
      stub.authenticate(tenant.id, tenant.keyId, hash, { surface: "mcp", cost: 1, lease: 10_000 }),
    );
    expect(small.rateLimit?.lease?.units).toBe(5); // 10 left after the call: half of it
    const window = big.rateLimit?.lease?.window ?? 0;
    // a refund naming another window takes nothing back
    await unwrap(
      stub.authenticate(tenant.id, tenant.keyId, hash, {
        surface: "mcp",
        cost: 1,
        refund: { units: 50, window: window - 60_000 },
      }),
    );
    expect(await used(tenant.id, "mcp")).toBe(1 + MAX_LEASE_UNITS + 1 + 5 + 1);
    await unwrap(
      stub.authenticate(tenant.id, tenant.keyId, hash, {
        surface: "mcp",
        cost: 1,
        refund: { units: 50, window },
      }),
    );
    expect(await used(tenant.id, "mcp")).toBe(1 + MAX_LEASE_UNITS + 1 + 5 + 1 + 1 - 50);
    expect(Date.now()).toBe(start);
  });
});
