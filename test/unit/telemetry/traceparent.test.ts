/**
 * W3C `traceparent`, parsed strictly: version 00, lowercase hex, non-zero ids, two-digit flags;
 * anything else is `undefined` (ignored by callers, never an error). Derived span ids are stable,
 * 16 hex digits and never zero.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { derivedSpanId, formatTraceparent, parseTraceparent } from "../../../engine/telemetry/traceparent.ts";

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
const nonZero = (length: number) => hex(length).filter((id) => !/^0+$/.test(id));

describe("parseTraceparent", () => {
  it("reads every valid header and formats it back", () => {
    fc.assert(
      fc.property(nonZero(32), nonZero(16), (traceId, spanId) => {
        const header = formatTraceparent(traceId, spanId);
        expect(parseTraceparent(header)).toEqual({ traceId, spanId, sampled: true });
      }),
    );
  });

  it("ignores what is not a version-00 header with lowercase, non-zero ids", () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const span = "00f067aa0ba902b7";
    for (const header of [
      undefined,
      null,
      "",
      `01-${trace}-${span}-01`,
      `ff-${trace}-${span}-01`,
      `00-${trace.toUpperCase()}-${span}-01`,
      `00-${"0".repeat(32)}-${span}-01`,
      `00-${trace}-${"0".repeat(16)}-01`,
      `00-${trace}-${span}-1`,
      `00-${trace}-${span}-01-extra`,
      ` 00-${trace}-${span}-01`,
      `00-${trace.slice(1)}-${span}-01`,
    ]) {
      expect(parseTraceparent(header)).toBeUndefined();
    }
    expect(parseTraceparent(`00-${trace}-${span}-00`)).toEqual({
      traceId: trace,
      spanId: span,
      sampled: false,
    });
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        (text) => parseTraceparent(text) === undefined || text.length === 55,
      ),
    );
  });
});

describe("derivedSpanId", () => {
  it("is 16 hex digits, never zero, the same for the same key and different for different keys", () => {
    fc.assert(
      fc.property(nonZero(32), fc.string(), fc.string(), (traceId, a, b) => {
        const first = derivedSpanId(traceId, a);
        expect(first).toMatch(/^[0-9a-f]{16}$/);
        expect(first).not.toBe("0000000000000000");
        expect(derivedSpanId(traceId, a)).toBe(first);
        if (a !== b) expect(derivedSpanId(traceId, b)).not.toBe(first);
      }),
    );
  });
});
