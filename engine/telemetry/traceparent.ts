/**
 * @module
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): parsed strictly
 * (version `00`, lowercase hex, non-zero trace and parent ids, two-digit flags) and formatted.
 * Anything else is not a traceparent: callers ignore it (never an error). Pure: no clock, no I/O.
 */

/** A trace and the span a new span continues from. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero */
  traceId: string;
  /** 16 lowercase hex digits, not all zero */
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO = /^0+$/;

/** The header's trace and parent span, or `undefined` when it is absent or not valid. */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (typeof header !== "string" || header.length !== 55) return undefined;
  const match = TRACEPARENT.exec(header);
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** `00-<trace id>-<span id>-01`: the span is sampled (edgeflow exports every span of a traced run). */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/**
 * A span id derived from the trace id and a key unique in the trace (`run`, a step's hand-out,
 * an effect id): the same on every isolate and after an eviction, so nothing needs storing to
 * give a step's children their parent. Two 32-bit FNV-1a hashes with different offsets; never zero.
 */
export function derivedSpanId(traceId: string, key: string): string {
  const text = `${traceId}/${key}`;
  const high = fnv1a(text, 0x811c9dc5);
  const low = fnv1a(text, 0x01000193 ^ 0x5bd1e995);
  const id = hex8(high) + hex8(low);
  return ALL_ZERO.test(id) ? "0000000000000001" : id;
}

function fnv1a(text: string, offset: number): number {
  let hash = offset >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, "0");
}
