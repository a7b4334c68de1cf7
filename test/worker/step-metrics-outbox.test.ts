/** When the RunDO sends its logged step durations without a status change: 16 waiting, or a minute. */
import { describe, expect, it } from "vitest";
import {
  FLUSH_AFTER_MS,
  FLUSH_EVERY_STEPS,
  StepMetricsOutbox,
} from "../../durable-objects/run/step-metrics.ts";

describe("StepMetricsOutbox", () => {
  it("is due at 16 waiting steps, or when the oldest has waited a minute; an answer clears it", () => {
    const outbox = new StepMetricsOutbox();
    expect(outbox.due(0)).toBe(false);
    outbox.noteFinished(FLUSH_EVERY_STEPS - 1, 1_000);
    expect(outbox.due(1_000)).toBe(false);
    expect(outbox.due(1_000 + FLUSH_AFTER_MS)).toBe(true);
    outbox.noteFinished(1, 2_000);
    expect(outbox.due(2_000)).toBe(true);
    outbox.acknowledged({ throughSeq: 7, enabled: true });
    expect(outbox.due(10 * FLUSH_AFTER_MS)).toBe(false);
  });

  it("stops sending once the tenant answers that it collects no metrics", () => {
    const outbox = new StepMetricsOutbox();
    outbox.acknowledged({ throughSeq: 3, enabled: false });
    outbox.noteFinished(100, 0);
    expect(outbox.due(0)).toBe(false);
  });
});
