/** Effect retries: equal jitter within [backoff/2, backoff], deterministic, Retry-After a floor. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idempotencyKeyOf } from "../../../engine/plugins/idempotency-key.ts";
import { effectRetryDelayMs } from "../../../engine/plugins/retry-delay.ts";

describe("effectRetryDelayMs", () => {
  it("stays within [backoff/2, backoff], never under 1 s, and is the same for the same key and attempt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.string(),
        fc.nat(20),
        (backoffMs, key, attempt) => {
          const delay = effectRetryDelayMs({ backoffMs, idempotencyKey: key, attempt });
          expect(delay).toBeGreaterThanOrEqual(Math.max(Math.floor(backoffMs / 2), 1_000));
          expect(delay).toBeLessThanOrEqual(Math.max(backoffMs, 1_000));
          expect(effectRetryDelayMs({ backoffMs, idempotencyKey: key, attempt })).toBe(delay);
        },
      ),
    );
  });

  it("spreads retries of different keys", () => {
    const delays = new Set(
      Array.from({ length: 50 }, (_, i) =>
        effectRetryDelayMs({ backoffMs: 10_000, idempotencyKey: `k${i}`, attempt: 1 }),
      ),
    );
    expect(delays.size).toBeGreaterThan(25);
  });

  it("never retries sooner than Retry-After", () => {
    expect(
      effectRetryDelayMs({ backoffMs: 1_000, idempotencyKey: "k", attempt: 1, retryAfterSeconds: 120 }),
    ).toBe(120_000);
  });
});

describe("idempotencyKeyOf", () => {
  it("names run, thread, step and loop position", () => {
    expect(idempotencyKeyOf({ runId: "wf_1", threadId: "main", stepId: "s", iterations: [] })).toBe(
      "wf_1:main:s:0",
    );
    expect(idempotencyKeyOf({ runId: "wf_1", threadId: "t", stepId: "s", iterations: [2, 1] })).toBe(
      "wf_1:t:s:2.1",
    );
  });
});
