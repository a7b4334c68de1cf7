/**
 * @module
 * The TenantDO's span buffer and OTLP/HTTP exporter (docs/observability.md, "Traces"). Runs hand
 * over the spans each transition finished (`recordSpans`); they wait here, in this object's
 * memory, and go out in batches of at most `EXPORT_BATCH_SPANS` from the tenant's alarm: armed
 * `FLUSH_DELAY_MS` after the first span, at once when a batch is full. A failed export (network,
 * 429, 5xx, timeout) keeps its spans and is tried again with growing delays; a batch is removed
 * only once the collector answered 2xx, so a span is delivered once (a 4xx other than 429 drops
 * the batch: sending it again cannot help). The buffer holds at most `MAX_BUFFERED_SPANS`: past
 * it the oldest spans are dropped and counted (`edgeflow.dropped_spans` on the next export's
 * resource, and a log line). Spans buffered when the object is evicted are lost: tracing never
 * writes storage per step. Requests go through the deployment's egress guard; header values are
 * tenant secrets resolved for the one request (never stored, logged or answered).
 */

import { type LogFields, writeLogLine } from "../../engine/telemetry/log-record.ts";
import { type OtlpTraceRequest, otlpTraceRequest } from "../../engine/telemetry/otlp-json.ts";
import type { RecordedSpan } from "../../engine/telemetry/span.ts";
import { guardedFetch } from "./guarded-fetch.ts";
import type { CapabilityResolver } from "./secret-vault.ts";
import { type TraceTarget, traceTargetOf } from "./trace-settings.ts";

export const MAX_BUFFERED_SPANS = 2_048;
export const EXPORT_BATCH_SPANS = 256;
export const FLUSH_DELAY_MS = 2_000;
/** Delays before the 1st, 2nd, … retry of a failed export; the last repeats. */
export const RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 60_000, 300_000] as const;
const EXPORT_TIMEOUT_MS = 10_000;
const MAX_COLLECTOR_ANSWER_BYTES = 64 * 1024;
/** Batches one alarm sends at most (the rest waits for the next alarm). */
const MAX_BATCHES_PER_FLUSH = 8;

export interface SpanExporterDeps {
  settings(): Readonly<Record<string, unknown>>;
  secrets: CapabilityResolver;
  allowPrivateEgress: boolean;
  /** makes sure the tenant's alarm fires no later than `at` */
  armBy(at: number): void;
  now(): number;
}

type ExportResult = "sent" | "rejected" | "retry";

export class SpanExporter {
  readonly #deps: SpanExporterDeps;
  #buffer: RecordedSpan[] = [];
  /** dropped since the last successful export */
  #dropped = 0;
  #failures = 0;
  #retryAt: number | undefined;

  constructor(deps: SpanExporterDeps) {
    this.#deps = deps;
  }

  /** Buffers a run's finished spans; nothing when the tenant is not traced (any more). */
  add(tenant: string, spans: readonly RecordedSpan[]): void {
    if (spans.length === 0 || traceTargetOf(this.#deps.settings()) === undefined) return;
    this.#buffer.push(...spans);
    const over = this.#buffer.length - MAX_BUFFERED_SPANS;
    if (over > 0) {
      this.#buffer.splice(0, over);
      if (this.#dropped === 0) warn({ event: "otlp_spans_dropped", tenant, dropped: over });
      this.#dropped += over;
    }
    const now = this.#deps.now();
    if (this.#retryAt !== undefined) this.#deps.armBy(this.#retryAt);
    else this.#deps.armBy(this.#buffer.length >= EXPORT_BATCH_SPANS ? now : now + FLUSH_DELAY_MS);
  }

  /** What waits and what was dropped since the last export that went through. */
  stats(): { buffered: number; dropped: number } {
    return { buffered: this.#buffer.length, dropped: this.#dropped };
  }

  /** From the alarm: sends what is buffered (unless a retry is not due yet) and re-arms for what is left. */
  async flush(tenant: string): Promise<void> {
    const now = this.#deps.now();
    if (this.#buffer.length === 0) return;
    if (this.#retryAt !== undefined && now < this.#retryAt) return this.#deps.armBy(this.#retryAt);
    const target = traceTargetOf(this.#deps.settings());
    if (target === undefined) {
      this.#buffer = [];
      return;
    }
    for (let round = 0; round < MAX_BATCHES_PER_FLUSH && this.#buffer.length > 0; round += 1) {
      const batch = this.#buffer.slice(0, EXPORT_BATCH_SPANS);
      const result = await this.#send(tenant, target, batch);
      if (result === "retry") {
        const delay = RETRY_DELAYS_MS[Math.min(this.#failures, RETRY_DELAYS_MS.length - 1)]!;
        this.#failures += 1;
        this.#retryAt = this.#deps.now() + delay;
        this.#deps.armBy(this.#retryAt);
        return;
      }
      const sent = new Set(batch);
      this.#buffer = this.#buffer.filter((span) => !sent.has(span));
      this.#failures = 0;
      this.#retryAt = undefined;
      if (result === "sent") this.#dropped = 0;
      else this.#dropped += batch.length;
    }
    if (this.#buffer.length > 0) this.#deps.armBy(this.#deps.now());
  }

  /** Forgets everything (the tenant's storage was erased). */
  discard(): void {
    this.#buffer = [];
    this.#dropped = 0;
    this.#failures = 0;
    this.#retryAt = undefined;
  }

  async #send(tenant: string, target: TraceTarget, batch: readonly RecordedSpan[]): Promise<ExportResult> {
    const headers = new Headers({ "content-type": "application/json" });
    for (const [name, reference] of Object.entries(target.headers)) {
      const resolved = await this.#deps.secrets.resolveCapability(tenant, reference).catch(() => undefined);
      if (resolved === undefined) {
        warn({ event: "otlp_export_failed", tenant, code: "secret.not_found", header: name });
        return "retry";
      }
      // a value no header can carry (a line break, a NUL: a PEM secret) will not become valid by
      // waiting; `Headers.set` would throw out of the flush and the tenant's alarm
      if (!setHeader(headers, name, resolved.text)) {
        warn({ event: "otlp_export_failed", tenant, code: "settings.invalid", header: name });
        return "rejected";
      }
    }
    const body: OtlpTraceRequest = otlpTraceRequest(tenant, batch);
    if (this.#dropped > 0) {
      body.resourceSpans[0]?.resource.attributes.push({
        key: "edgeflow.dropped_spans",
        value: { intValue: String(this.#dropped) },
      });
    }
    const send = guardedFetch({
      allowPrivate: this.#deps.allowPrivateEgress,
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
      maxResponseBytes: MAX_COLLECTOR_ANSWER_BYTES,
    });
    try {
      const response = await send(
        new Request(target.endpoint, { method: "POST", headers, body: JSON.stringify(body) }),
      );
      if (response.ok) return "sent";
      const retry = response.status === 429 || response.status >= 500;
      warn({ event: "otlp_export_failed", tenant, status: response.status, spans: batch.length });
      return retry ? "retry" : "rejected";
    } catch (error) {
      const code = error instanceof Error && "code" in error ? String(error.code) : "external.failed";
      warn({ event: "otlp_export_failed", tenant, code, spans: batch.length });
      // an endpoint the deployment's egress rule refuses will not become reachable by waiting
      return code === "external.egress_refused" ? "rejected" : "retry";
    }
  }
}

const NOT_IN_A_HEADER = /[\r\n\0]/;

/** Sets a resolved header value; `false` (and nothing set) when no HTTP header can carry it. */
function setHeader(headers: Headers, name: string, value: string): boolean {
  if (NOT_IN_A_HEADER.test(value)) return false;
  try {
    headers.set(name, value);
    return true;
  } catch {
    return false;
  }
}

function warn(fields: LogFields): void {
  writeLogLine(console, "warn", fields);
}
