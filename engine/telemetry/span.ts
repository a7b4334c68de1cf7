/**
 * @module
 * A finished span as edgeflow records it before export: plain JSON (it crosses the RunDO →
 * TenantDO RPC boundary), times in epoch milliseconds. `otlp-json.ts` maps it to OTLP.
 */

export type SpanAttributeValue = string | number | boolean;

export interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** `server`: the run's root span; `internal`: a step; `client`: an effect calling out */
  kind: "server" | "internal" | "client";
  startMs: number;
  endMs: number;
  attributes: Record<string, SpanAttributeValue>;
  status: { code: "unset" | "ok" | "error"; message?: string };
}

/** Longest status message and string attribute kept (characters): a span never carries a body. */
export const MAX_SPAN_TEXT = 512;

export function clipSpanText(text: string): string {
  return text.length > MAX_SPAN_TEXT ? `${text.slice(0, MAX_SPAN_TEXT - 1)}…` : text;
}
