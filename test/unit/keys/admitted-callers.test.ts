/**
 * The memo of admitted `/mcp` callers (worker/keys/admitted-callers.ts) on a test clock: an answer
 * is trusted for less than ADMITTED_CALLER_MS and never after; a refusal is never remembered;
 * tenants, keys and hashes never share an entry; units admitted from memory come only out of the
 * lease the TenantDO charged ahead, and the unused ones are given back (once) with the next call.
 */
import { describe, expect, it } from "vitest";
import type { RateLimitLease } from "../../../durable-objects/tenant/contracts.ts";
import type { RateLimitVerdict } from "../../../engine/rate-limits/rate-limited-error.ts";
import {
  ADMITTED_CALLER_MS,
  AdmittedCallers,
  leaseWanted,
  MAX_ADMITTED_CALLERS,
} from "../../../worker/keys/admitted-callers.ts";

function verdict(remaining: number, resetMs = 30_000, admitted = true): RateLimitVerdict {
  return { admitted, policy: "mcp", limit: 100, windowSeconds: 60, remaining, resetMs };
}

function lease(units: number, window = 0): RateLimitLease {
  return { units, window };
}

function memoAt(start: number) {
  const clock = { now: start };
  return { clock, memo: new AdmittedCallers(() => clock.now) };
}

describe("the memo of admitted callers", () => {
  it("admits from memory for less than the bound, then asks the TenantDO again", () => {
    const { clock, memo } = memoAt(10_000);
    expect(ADMITTED_CALLER_MS).toBeLessThanOrEqual(1_000);
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    memo.remember("t", "key:a:h", 10_000, verdict(50), lease(50));
    expect(memo.admit("t", "key:a:h", 1)).toBeDefined();
    clock.now = 10_000 + ADMITTED_CALLER_MS - 1;
    expect(memo.admit("t", "key:a:h", 1)).toBeDefined();
    clock.now = 10_000 + ADMITTED_CALLER_MS;
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
  });

  it("never trusts an answer from the future (a clock that went back)", () => {
    const { clock, memo } = memoAt(50_000);
    memo.remember("t", "key:a:h", 50_000, verdict(50), lease(50));
    clock.now = 49_999;
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
  });

  it("never remembers a refusal", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(0, 30_000, false));
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it("keeps tenants, key ids and key hashes apart", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t1", "key:a:h", 1_000, verdict(50), lease(50));
    expect(memo.admit("t2", "key:a:h", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:a:other-hash", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:b:h", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:a:h", 1)).toBeDefined();
  });

  it("forgets a caller the TenantDO refused, and a whole tenant changed through this isolate", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t1", "key:a:h", 1_000, verdict(50), lease(50));
    memo.remember("t1", "key:b:h", 1_000, verdict(50), lease(50));
    memo.remember("t10", "key:a:h", 1_000, verdict(50), lease(50));
    memo.forget("t1", "key:a:h");
    expect(memo.admit("t1", "key:a:h", 1)).toBeUndefined();
    memo.forgetTenant("t1");
    expect(memo.admit("t1", "key:b:h", 1)).toBeUndefined();
    // a tenant whose id starts with the other's is not touched
    expect(memo.admit("t10", "key:a:h", 1)).toBeDefined();
  });

  it("admits only the units the TenantDO charged ahead, with headers that count down, then asks", () => {
    const { clock, memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(40, 30_000), lease(3));
    clock.now = 1_200;
    expect(memo.admit("t", "key:a:h", 2)?.rateLimit).toMatchObject({ remaining: 38, resetMs: 29_800 });
    expect(memo.admit("t", "key:a:h", 2)).toBeUndefined(); // 2 > 1 leased unit left: the TenantDO judges it
    expect(memo.admit("t", "key:a:h", 1)?.rateLimit).toMatchObject({ remaining: 37, admitted: true });
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.takeForAsk("t", "key:a:h")).toEqual({ lease: leaseWanted(3), refund: undefined });
  });

  it("never admits from a verdict alone: a remaining budget without a lease is not the memo's to spend", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(50));
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
  });

  it("gives the unused units of a lease back once, and stops admitting until the TenantDO answers", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(50), lease(8, 60_000));
    memo.admit("t", "key:a:h", 1);
    memo.admit("t", "key:a:h", 4);
    expect(memo.takeForAsk("t", "key:a:h")).toEqual({ lease: leaseWanted(5), refund: lease(3, 60_000) });
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.takeForAsk("t", "key:a:h")).toEqual({ lease: 0, refund: undefined });
  });

  it("asks for no lease for a caller not seen within the bound, and a capped, growing one otherwise", () => {
    const { clock, memo } = memoAt(1_000);
    expect(memo.takeForAsk("t", "key:a:h").lease).toBe(0);
    memo.remember("t", "key:a:h", 1_000, verdict(50), lease(1));
    clock.now = 1_000 + 2 * ADMITTED_CALLER_MS;
    expect(memo.takeForAsk("t", "key:a:h").lease).toBe(0);
    expect(leaseWanted(0)).toBe(2);
    expect(leaseWanted(10)).toBe(22);
    expect(leaseWanted(1_000)).toBe(64);
  });

  it("keeps a refund whose call did not reach the TenantDO, for the next call", () => {
    const { memo } = memoAt(1_000);
    memo.keepRefund("t", "key:a:h", lease(7, 60_000));
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined(); // a refund only: never admits
    expect(memo.takeForAsk("t", "key:a:h")).toEqual({ lease: 0, refund: lease(7, 60_000) });
  });

  it("does not admit past the lease's window", () => {
    const { clock, memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(50, 500), lease(10));
    memo.admit("t", "key:a:h", 1);
    clock.now = 1_500;
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
  });

  it("keeps the answer asked last: an older one landing later only adds its lease (same window)", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(10), lease(2, 60_000));
    memo.remember("t", "key:a:h", 990, verdict(12), lease(3, 60_000));
    let admitted = 0;
    let last: RateLimitVerdict | undefined;
    for (let i = 0; i < 10; i += 1) {
      const hit = memo.admit("t", "key:a:h", 1);
      if (hit === undefined) break;
      admitted += 1;
      last = hit.rateLimit;
    }
    expect(admitted).toBe(5); // both leases were charged: both may be admitted, not more
    expect(last?.remaining).toBe(5); // the headers follow the newer verdict (10 - 5)
    memo.remember("t", "key:b:h", 1_000, verdict(10), lease(2, 60_000));
    memo.remember("t", "key:b:h", 990, verdict(12), lease(3, 0)); // an older window: not added
    expect(memo.takeForAsk("t", "key:b:h").refund).toEqual(lease(2, 60_000));
  });

  it("ignores an answer asked before the tenant was forgotten (an admin change in flight)", () => {
    const { clock, memo } = memoAt(1_000);
    const askedAt = clock.now;
    clock.now = 1_010;
    memo.forgetTenant("t");
    memo.remember("t", "key:a:h", askedAt, verdict(50), lease(5));
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    memo.remember("t2", "key:a:h", askedAt, verdict(50), lease(5)); // another tenant is not touched
    expect(memo.admit("t2", "key:a:h", 1)).toBeDefined();
    clock.now = 1_020;
    memo.remember("t", "key:a:h", 1_020, verdict(50), lease(5)); // asked after it: remembered
    expect(memo.admit("t", "key:a:h", 1)).toBeDefined();
  });

  it("a caller with no rate limit charged when it was filled is asked again for a priced request", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, undefined);
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.admit("t", "key:a:h", undefined)).toEqual({});
  });

  it("holds a bounded number of callers, dropping the oldest", () => {
    const { memo } = memoAt(1_000);
    for (let i = 0; i <= MAX_ADMITTED_CALLERS; i += 1)
      memo.remember("t", `key:${i}:h`, 1_000, verdict(5), lease(5));
    expect(memo.size).toBe(MAX_ADMITTED_CALLERS);
    expect(memo.admit("t", "key:0:h", 1)).toBeUndefined();
    expect(memo.admit("t", `key:${MAX_ADMITTED_CALLERS}:h`, 1)).toBeDefined();
  });
});
