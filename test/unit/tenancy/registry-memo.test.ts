/**
 * The registry memo's bound (worker/tenancy/registry-memo.ts), on a test clock: a "registered"
 * answer is trusted for less than REGISTRY_MEMO_MS, never after, never for a clock that went back,
 * and a tenant deleted on this isolate is forgotten at once.
 */
import { describe, expect, it } from "vitest";
import {
  forgetRegistered,
  REGISTRY_MEMO_MS,
  recentlyRegistered,
  rememberRegistered,
} from "../../../worker/tenancy/registry-memo.ts";

describe("registry memo", () => {
  it("trusts a registered tenant for less than the bound, then asks KV again", () => {
    rememberRegistered("memo-a", 10_000);
    expect(REGISTRY_MEMO_MS).toBeLessThanOrEqual(1_000);
    expect(recentlyRegistered("memo-a", 10_000)).toBe(true);
    expect(recentlyRegistered("memo-a", 10_000 + REGISTRY_MEMO_MS - 1)).toBe(true);
    expect(recentlyRegistered("memo-a", 10_000 + REGISTRY_MEMO_MS)).toBe(false);
    // once expired it stays forgotten until KV says so again
    expect(recentlyRegistered("memo-a", 10_001)).toBe(false);
  });

  it("never trusts an answer from the future (a clock that went back)", () => {
    rememberRegistered("memo-b", 50_000);
    expect(recentlyRegistered("memo-b", 49_999)).toBe(false);
  });

  it("forgets a tenant deleted on this isolate at once", () => {
    rememberRegistered("memo-c", 1_000);
    forgetRegistered("memo-c");
    expect(recentlyRegistered("memo-c", 1_000)).toBe(false);
  });

  it("remembers nothing it was not told", () => {
    expect(recentlyRegistered("memo-never", 0)).toBe(false);
  });

  it("keeps at most 1,024 tenants, dropping the oldest", () => {
    for (let i = 0; i < 1_025; i += 1) rememberRegistered(`memo-many-${i}`, 5_000);
    expect(recentlyRegistered("memo-many-0", 5_000)).toBe(false);
    expect(recentlyRegistered("memo-many-1024", 5_000)).toBe(true);
  });
});
