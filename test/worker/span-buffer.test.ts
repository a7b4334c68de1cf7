/**
 * The TenantDO's span buffer and exporter (durable-objects/tenant/span-exporter.ts) driven with a
 * clock of its own against the local HTTP target: past `MAX_BUFFERED_SPANS` the oldest spans are
 * dropped and counted; an export answered 503 keeps its batch and is not tried again before its
 * retry time; once the collector answers, everything left goes out once, in batches, and the drop
 * count rides on the resource.
 */
import { describe, expect, it } from "vitest";
import {
  EXPORT_BATCH_SPANS,
  FLUSH_DELAY_MS,
  MAX_BUFFERED_SPANS,
  RETRY_DELAYS_MS,
  SpanExporter,
} from "../../durable-objects/tenant/span-exporter.ts";
import type { OtlpTraceRequest } from "../../engine/telemetry/otlp-json.ts";
import type { RecordedSpan } from "../../engine/telemetry/span.ts";
import { target, targetLog } from "./support/effects.ts";

function spans(count: number, from = 0): RecordedSpan[] {
  return Array.from({ length: count }, (_, index) => ({
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: (from + index + 1).toString(16).padStart(16, "0"),
    name: `step s${from + index}`,
    kind: "internal" as const,
    startMs: 1_000,
    endMs: 2_000,
    attributes: {},
    status: { code: "ok" as const },
  }));
}

describe("span buffer", () => {
  it("drops the oldest past its bound, retries a failed export, then delivers each span once", async () => {
    const path = `/echo/otlp-buffer-${crypto.randomUUID()}`;
    let endpoint = `${target()}/status/503`;
    let now = 1_000_000;
    const armed: number[] = [];
    const exporter = new SpanExporter({
      settings: () => ({ otlp_endpoint: endpoint }),
      secrets: { resolveCapability: async () => undefined },
      allowPrivateEgress: true,
      armBy: (at) => armed.push(at),
      now: () => now,
    });
    exporter.add("acme", spans(10));
    expect(armed.at(-1)).toBe(now + FLUSH_DELAY_MS);
    exporter.add("acme", spans(MAX_BUFFERED_SPANS, 10));
    expect(armed.at(-1)).toBe(now); // a full batch waits: the alarm is due at once
    expect(exporter.stats()).toEqual({ buffered: MAX_BUFFERED_SPANS, dropped: 10 });

    await exporter.flush("acme"); // 503: kept, retried later
    expect(exporter.stats()).toEqual({ buffered: MAX_BUFFERED_SPANS, dropped: 10 });
    const retryAt = now + RETRY_DELAYS_MS[0];
    expect(armed.at(-1)).toBe(retryAt);

    endpoint = `${target()}${path}`;
    await exporter.flush("acme"); // not yet due: nothing sent
    expect((await targetLog()).filter((request) => request.path === path)).toEqual([]);

    now = retryAt;
    await exporter.flush("acme");
    expect(exporter.stats()).toEqual({ buffered: 0, dropped: 0 });
    const received = (await targetLog()).filter((request) => request.path === path);
    expect(received).toHaveLength(MAX_BUFFERED_SPANS / EXPORT_BATCH_SPANS);
    const bodies = received.map((request) => request.body as OtlpTraceRequest);
    const ids = bodies.flatMap((body) =>
      body.resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => span.spanId),
    );
    expect(new Set(ids).size).toBe(MAX_BUFFERED_SPANS);
    // the ten oldest were dropped; the first export that went through says so
    expect(ids).not.toContain(spans(1)[0]!.spanId);
    expect(bodies[0]!.resourceSpans[0]!.resource.attributes).toContainEqual({
      key: "edgeflow.dropped_spans",
      value: { intValue: "10" },
    });
    expect(bodies[1]!.resourceSpans[0]!.resource.attributes.map((entry) => entry.key)).not.toContain(
      "edgeflow.dropped_spans",
    );
  });

  it("keeps nothing for a tenant without an endpoint", () => {
    const exporter = new SpanExporter({
      settings: () => ({}),
      secrets: { resolveCapability: async () => undefined },
      allowPrivateEgress: true,
      armBy: () => {
        throw new Error("no alarm for an untraced tenant");
      },
      now: () => 0,
    });
    exporter.add("acme", spans(3));
    expect(exporter.stats()).toEqual({ buffered: 0, dropped: 0 });
  });
});
