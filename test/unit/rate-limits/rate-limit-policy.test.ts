/**
 * The rate limits' pure arithmetic: fixed one-minute windows aligned to the clock, all buckets
 * charged or none, the verdict naming the refusing (or tightest) policy, and a clock reading that
 * goes back across a window boundary (requests queued at a Durable Object) never resets a count.
 */
import { describe, expect, it } from "vitest";
import {
  bucketsFor,
  currentWindow,
  judge,
  type RateLimitBucket,
  type WindowCount,
} from "../../../durable-objects/tenant/rate-limit-policy.ts";

const MINUTE = 60_000;
const T0 = 1_000 * MINUTE;

/** Charges `cost` at `now` the way the limiter does, answering whether it was admitted. */
function charge(state: Map<string, WindowCount>, buckets: RateLimitBucket[], cost: number, now: number) {
  const counts = buckets.map((bucket) => currentWindow(state.get(bucket.key), now));
  const verdict = judge(buckets, counts, cost, now);
  if (verdict.admitted) {
    for (const [i, bucket] of buckets.entries()) {
      state.set(bucket.key, { start: counts[i]!.start, used: counts[i]!.used + cost });
    }
  }
  return verdict;
}

describe("rate-limit policy", () => {
  it("admits the limit per clock minute and resets at the next one", () => {
    const state = new Map<string, WindowCount>();
    const bucket = [{ key: "events", policy: "events", limit: 3 }];
    const admitted = [0, 1, 2, 3, 4].map((i) => charge(state, bucket, 1, T0 + 10_000 + i).admitted);
    expect(admitted).toEqual([true, true, true, false, false]);
    expect(charge(state, bucket, 1, T0 + 20_000)).toEqual({
      admitted: false,
      policy: "events",
      limit: 3,
      windowSeconds: 60,
      remaining: 0,
      resetMs: 40_000,
    });
    expect(charge(state, bucket, 1, T0 + MINUTE).admitted).toBe(true);
  });

  it("a clock reading older than the stored window counts in the stored window", () => {
    const state = new Map<string, WindowCount>();
    const bucket = [{ key: "mcp", policy: "mcp", limit: 2 }];
    expect(charge(state, bucket, 1, T0 + MINUTE + 5).admitted).toBe(true);
    expect(charge(state, bucket, 1, T0 + MINUTE - 5).admitted).toBe(true);
    expect(charge(state, bucket, 1, T0 + MINUTE + 10).admitted).toBe(false);
    expect(charge(state, bucket, 1, T0 + MINUTE - 1).admitted).toBe(false);
  });

  it("charges the tenant and the key together, and names the one that refused", () => {
    const state = new Map<string, WindowCount>();
    const settings = { rate_limit_mcp_per_minute: 10, rate_limit_mcp_per_key_per_minute: 2 };
    const keyA = bucketsFor("mcp", settings, "a");
    const keyB = bucketsFor("mcp", settings, "b");
    expect(charge(state, keyA, 1, T0).remaining).toBe(1);
    expect(charge(state, keyA, 1, T0).policy).toBe("mcp-key");
    const refused = charge(state, keyA, 1, T0);
    expect([refused.admitted, refused.policy, refused.limit]).toEqual([false, "mcp-key", 2]);
    expect(state.get("mcp")?.used).toBe(2);
    expect(charge(state, keyB, 2, T0).admitted).toBe(true);
    expect(state.get("mcp")?.used).toBe(4);
  });

  it("uses the defaults when a setting is unset or invalid, and no key bucket without a per-key limit", () => {
    expect(bucketsFor("webhooks", {})).toEqual([{ key: "webhooks", policy: "webhooks", limit: 60_000 }]);
    expect(bucketsFor("events", { rate_limit_events_per_minute: "5" }, "k")).toEqual([
      { key: "events", policy: "events", limit: 120_000 },
    ]);
  });
});
