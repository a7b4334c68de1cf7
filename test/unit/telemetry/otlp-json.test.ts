/**
 * The OTLP JSON mapping of edgeflow's spans: hex ids as they are, unix nanoseconds as decimal
 * strings (past 2^53), integer attributes as `intValue` strings, kinds and status codes as the
 * proto's enum numbers, the tenant on the resource.
 */
import { describe, expect, it } from "vitest";
import { otlpTraceRequest } from "../../../engine/telemetry/otlp-json.ts";
import type { RecordedSpan } from "../../../engine/telemetry/span.ts";

const span: RecordedSpan = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: "b7ad6b7169203331",
  name: "step build",
  kind: "internal",
  startMs: 1_764_900_000_123,
  endMs: 1_764_900_001_456,
  attributes: { "edgeflow.step.id": "build", "edgeflow.step.attempt": 2, ratio: 0.5, retried: true },
  status: { code: "error", message: "3 checks failed" },
};

describe("otlpTraceRequest", () => {
  it("maps a span to the OTLP JSON encoding", () => {
    const request = otlpTraceRequest("acme", [span, { ...span, kind: "server", status: { code: "ok" } }]);
    expect(request.resourceSpans).toHaveLength(1);
    const [resource] = request.resourceSpans;
    expect(resource?.resource.attributes).toEqual([
      { key: "service.name", value: { stringValue: "edgeflow" } },
      { key: "edgeflow.tenant", value: { stringValue: "acme" } },
    ]);
    const [first, second] = resource?.scopeSpans[0]?.spans ?? [];
    expect(first).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: "step build",
      kind: 1,
      startTimeUnixNano: "1764900000123000000",
      endTimeUnixNano: "1764900001456000000",
      attributes: [
        { key: "edgeflow.step.id", value: { stringValue: "build" } },
        { key: "edgeflow.step.attempt", value: { intValue: "2" } },
        { key: "ratio", value: { doubleValue: 0.5 } },
        { key: "retried", value: { boolValue: true } },
      ],
      status: { code: 2, message: "3 checks failed" },
    });
    expect(second).toMatchObject({ kind: 2, status: { code: 1 } });
    // a round trip through JSON text keeps every field (no BigInt, no undefined)
    expect(JSON.parse(JSON.stringify(request))).toEqual(request);
  });
});
