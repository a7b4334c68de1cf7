/**
 * @module
 * The OTLP/HTTP JSON encoding of an `ExportTraceServiceRequest`
 * (opentelemetry-proto, `opentelemetry/proto/collector/trace/v1/trace_service.proto`, JSON
 * mapping): trace and span ids as lowercase hex, times as unix nanoseconds in decimal strings,
 * 64-bit integers as strings, enums as numbers. Sent with `content-type: application/json`.
 * Hand-written because the official exporters (`@opentelemetry/exporter-trace-otlp-http` and its
 * SDK) assume a long-lived process with timers, far more than a Durable Object needs to post a
 * batch (docs/observability.md). Pure.
 */
import type { RecordedSpan, SpanAttributeValue } from "./span.ts";

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean };

export interface OtlpKeyValue {
  key: string;
  value: AnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SPAN_KIND_INTERNAL 1, SERVER 2, CLIENT 3 */
  kind: 1 | 2 | 3;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  /** STATUS_CODE_UNSET 0, OK 1, ERROR 2 */
  status: { code: 0 | 1 | 2; message?: string };
}

export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

const KINDS = { internal: 1, server: 2, client: 3 } as const;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;

/** One request holding `spans`, under a resource naming the service and the tenant. */
export function otlpTraceRequest(tenant: string, spans: readonly RecordedSpan[]): OtlpTraceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributesOf({ "service.name": "edgeflow", "edgeflow.tenant": tenant }) },
        scopeSpans: [{ scope: { name: "edgeflow" }, spans: spans.map(otlpSpan) }],
      },
    ],
  };
}

function otlpSpan(span: RecordedSpan): OtlpSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: KINDS[span.kind],
    startTimeUnixNano: unixNanos(span.startMs),
    endTimeUnixNano: unixNanos(span.endMs),
    attributes: attributesOf(span.attributes),
    status: {
      code: STATUS[span.status.code],
      ...(span.status.message === undefined ? {} : { message: span.status.message }),
    },
  };
}

function unixNanos(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

function attributesOf(attributes: Readonly<Record<string, SpanAttributeValue>>): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: SpanAttributeValue): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}
