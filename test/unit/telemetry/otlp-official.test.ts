/**
 * edgeflow's hand-written OTLP JSON encoding against the official one: the same span, built as
 * an OpenTelemetry SDK `ReadableSpan` and serialized by `@opentelemetry/otlp-transformer`'s
 * `JsonTraceSerializer` (the encoder of the official OTLP/HTTP JSON exporter), must give the same
 * value for every field edgeflow sends (ids, kind, times, attributes, status, resource, scope).
 * Fields edgeflow leaves out (empty events and links, zero dropped counts, flags) are defaults.
 * (Node, unit project: the official packages are a dev dependency, never bundled.)
 */

import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { type OtlpTraceRequest, otlpTraceRequest } from "../../../engine/telemetry/otlp-json.ts";
import type { RecordedSpan } from "../../../engine/telemetry/span.ts";

const KIND = { internal: 0, server: 1, client: 2 } as const; // @opentelemetry/api SpanKind
const STATUS = { unset: 0, ok: 1, error: 2 } as const; // @opentelemetry/api SpanStatusCode

function hrTime(ms: number): [number, number] {
  return [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
}

/** One resource object for every span: the official encoder groups spans by resource identity. */
function readableOf(resource: Resource, span: RecordedSpan): ReadableSpan {
  return {
    name: span.name,
    kind: KIND[span.kind],
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1 }),
    ...(span.parentSpanId === undefined
      ? {}
      : { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: 1 } }),
    startTime: hrTime(span.startMs),
    endTime: hrTime(span.endMs),
    status: {
      code: STATUS[span.status.code],
      ...(span.status.message === undefined ? {} : { message: span.status.message }),
    },
    attributes: span.attributes,
    links: [],
    events: [],
    duration: hrTime(span.endMs - span.startMs),
    ended: true,
    resource,
    instrumentationScope: { name: "edgeflow" },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const SPANS: RecordedSpan[] = [
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    name: "run deploy:site",
    kind: "server",
    startMs: 1_764_900_000_123,
    endMs: 1_764_900_009_001,
    attributes: { "edgeflow.run.id": "wf_0123456789abcdef01234567", "edgeflow.run.status": "failed" },
    status: { code: "error", message: "run.timeout: the run took too long" },
  },
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "b7ad6b7169203331",
    parentSpanId: "00f067aa0ba902b7",
    name: "step build",
    kind: "internal",
    startMs: 1_764_900_000_500,
    endMs: 1_764_900_001_456,
    attributes: { "edgeflow.step.id": "build", "edgeflow.step.attempt": 2, "edgeflow.step.type": "mcp_call" },
    status: { code: "ok" },
  },
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "0af7651916cd43dd",
    parentSpanId: "b7ad6b7169203331",
    name: "call api.deploy",
    kind: "client",
    startMs: 1_764_900_000_600,
    endMs: 1_764_900_000_700,
    attributes: { "edgeflow.service": "api" },
    status: { code: "unset" },
  },
];

/** Keeps, in `official`, only the keys `ours` has (recursively): the fields edgeflow sends. */
function sameShape(official: unknown, ours: unknown): unknown {
  if (Array.isArray(ours) && Array.isArray(official))
    return official.map((item, index) => sameShape(item, ours[index]));
  if (typeof ours !== "object" || ours === null || typeof official !== "object" || official === null)
    return official;
  return Object.fromEntries(
    Object.keys(ours).map((key) => [
      key,
      sameShape((official as Record<string, unknown>)[key], (ours as Record<string, unknown>)[key]),
    ]),
  );
}

describe("OTLP JSON against @opentelemetry/otlp-transformer", () => {
  it("every field edgeflow sends has the official encoder's value", () => {
    const ours = otlpTraceRequest("acme", SPANS);
    const resource = resourceFromAttributes({ "service.name": "edgeflow", "edgeflow.tenant": "acme" });
    const bytes = JsonTraceSerializer.serializeRequest(SPANS.map((span) => readableOf(resource, span)));
    const official = JSON.parse(new TextDecoder().decode(bytes)) as OtlpTraceRequest;
    // the one difference: an int64 attribute is a decimal string in edgeflow (the proto3 JSON
    // mapping's form) and a number in the official encoder; receivers accept both
    const intsAsNumbers = (text: string) =>
      JSON.parse(text, (key, value) => (key === "intValue" ? Number(value) : value)) as unknown;
    expect(sameShape(official, ours)).toEqual(intsAsNumbers(JSON.stringify(ours)));
    // and what edgeflow leaves out is the official encoder's default
    const officialSpan = official.resourceSpans[0]?.scopeSpans[0]?.spans[1] as unknown as Record<
      string,
      unknown
    >;
    expect(officialSpan).toMatchObject({ droppedAttributesCount: 0, events: [], links: [] });
  });
});
