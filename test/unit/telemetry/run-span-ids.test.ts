/**
 * A run's span ids come from its trace id, its run id and its random salt: two runs continuing one
 * `traceparent` never share one, and a trace entry kept before salts existed (no `salt`) keeps
 * the ids it always had, so a run in flight across the upgrade still nests its spans.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EffectIntent } from "../../../engine/plugins/effect.ts";
import { effectSpanId, rootSpanId } from "../../../engine/telemetry/run-spans.ts";
import { derivedSpanId } from "../../../engine/telemetry/traceparent.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const hex32 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 32, maxLength: 32 });

describe("run span ids", () => {
  it("differ between runs of one trace, and between salts of one run", () => {
    fc.assert(
      fc.property(hex32, hex32, (saltA, saltB) => {
        fc.pre(saltA !== saltB);
        const a = rootSpanId({ traceId: TRACE, runId: "run-a", salt: saltA });
        expect(rootSpanId({ traceId: TRACE, runId: "run-b", salt: saltA })).not.toBe(a);
        expect(rootSpanId({ traceId: TRACE, runId: "run-a", salt: saltB })).not.toBe(a);
        expect(a).not.toBe(derivedSpanId(TRACE, "run"));
      }),
    );
  });

  it("are the old trace-derived ids for a trace kept without a salt", () => {
    const effect = { id: "e1" } as EffectIntent;
    expect(rootSpanId({ traceId: TRACE })).toBe(derivedSpanId(TRACE, "run"));
    expect(effectSpanId({ traceId: TRACE, parentSpanId: "00f067aa0ba902b7" }, effect)).toBe(
      derivedSpanId(TRACE, "effect/e1"),
    );
  });
});
