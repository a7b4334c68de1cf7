/**
 * The memo of admitted `/mcp` callers (worker/keys/admitted-callers.ts) on a test clock: an answer
 * is trusted for less than ADMITTED_CALLER_MS and never after; a refusal is never remembered;
 * tenants, keys and hashes never share an entry; units admitted from memory are counted, stop at
 * the budget the TenantDO reported, and are handed over (once) for the next call to charge.
 */
import { describe, expect, it } from "vitest";
import type { RateLimitVerdict } from "../../../engine/rate-limits/rate-limited-error.ts";
import {
  ADMITTED_CALLER_MS,
  AdmittedCallers,
  MAX_ADMITTED_CALLERS,
} from "../../../worker/keys/admitted-callers.ts";

function verdict(remaining: number, resetMs = 30_000, admitted = true): RateLimitVerdict {
  return { admitted, policy: "mcp", limit: 100, windowSeconds: 60, remaining, resetMs };
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
    memo.remember("t", "key:a:h", 10_000, verdict(50));
    expect(memo.admit("t", "key:a:h", 1)).toBeDefined();
    clock.now = 10_000 + ADMITTED_CALLER_MS - 1;
    expect(memo.admit("t", "key:a:h", 1)).toBeDefined();
    clock.now = 10_000 + ADMITTED_CALLER_MS;
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
  });

  it("never trusts an answer from the future (a clock that went back)", () => {
    const { clock, memo } = memoAt(50_000);
    memo.remember("t", "key:a:h", 50_000, verdict(50));
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
    memo.remember("t1", "key:a:h", 1_000, verdict(50));
    expect(memo.admit("t2", "key:a:h", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:a:other-hash", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:b:h", 1)).toBeUndefined();
    expect(memo.admit("t1", "key:a:h", 1)).toBeDefined();
  });

  it("forgets a caller the TenantDO refused, and a whole tenant changed through this isolate", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t1", "key:a:h", 1_000, verdict(50));
    memo.remember("t1", "key:b:h", 1_000, verdict(50));
    memo.remember("t10", "key:a:h", 1_000, verdict(50));
    memo.forget("t1", "key:a:h");
    expect(memo.admit("t1", "key:a:h", 1)).toBeUndefined();
    memo.forgetTenant("t1");
    expect(memo.admit("t1", "key:b:h", 1)).toBeUndefined();
    // a tenant whose id starts with the other's is not touched
    expect(memo.admit("t10", "key:a:h", 1)).toBeDefined();
  });

  it("admits at most the budget the TenantDO reported, with headers that count down, then asks", () => {
    const { clock, memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(3, 30_000));
    clock.now = 1_200;
    expect(memo.admit("t", "key:a:h", 2)?.rateLimit).toMatchObject({ remaining: 1, resetMs: 29_800 });
    expect(memo.admit("t", "key:a:h", 2)).toBeUndefined(); // 2 > 1 left: the TenantDO judges it
    expect(memo.admit("t", "key:a:h", 1)?.rateLimit).toMatchObject({ remaining: 0, admitted: true });
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.takeUnreported("t", "key:a:h")).toBe(3);
  });

  it("hands the unreported units over once, and stops admitting until the TenantDO answers", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(50));
    memo.admit("t", "key:a:h", 1);
    memo.admit("t", "key:a:h", 4);
    expect(memo.takeUnreported("t", "key:a:h")).toBe(5);
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.takeUnreported("t", "key:a:h")).toBe(0);
  });

  it("gives back units whose report did not reach the TenantDO, for the next call", () => {
    const { memo } = memoAt(1_000);
    memo.carryBack("t", "key:a:h", 7);
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined(); // carrying only: never admits
    memo.remember("t", "key:a:h", 1_000, verdict(50));
    // the answer of another request came back meanwhile: the 7 units are still owed
    expect(memo.admit("t", "key:a:h", 1)?.rateLimit?.remaining).toBe(42);
    expect(memo.takeUnreported("t", "key:a:h")).toBe(8);
  });

  it("does not admit past the window the TenantDO reported, and drops that window's units", () => {
    const { clock, memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, verdict(50, 500));
    memo.admit("t", "key:a:h", 1);
    clock.now = 1_500;
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    // the window those units counted in is over: nothing to charge to the new one
    expect(memo.takeUnreported("t", "key:a:h")).toBe(0);
  });

  it("a caller with no rate limit charged when it was filled is asked again for a priced request", () => {
    const { memo } = memoAt(1_000);
    memo.remember("t", "key:a:h", 1_000, undefined);
    expect(memo.admit("t", "key:a:h", 1)).toBeUndefined();
    expect(memo.admit("t", "key:a:h", undefined)).toEqual({});
  });

  it("holds a bounded number of callers, dropping the oldest", () => {
    const { memo } = memoAt(1_000);
    for (let i = 0; i <= MAX_ADMITTED_CALLERS; i += 1) memo.remember("t", `key:${i}:h`, 1_000, verdict(5));
    expect(memo.size).toBe(MAX_ADMITTED_CALLERS);
    expect(memo.admit("t", "key:0:h", 1)).toBeUndefined();
    expect(memo.admit("t", `key:${MAX_ADMITTED_CALLERS}:h`, 1)).toBeDefined();
  });
});
