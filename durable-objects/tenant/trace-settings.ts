/**
 * @module
 * The tenant settings that turn tracing on (docs/observability.md, "Traces"): `otlp_endpoint`,
 * the OTLP/HTTP traces URL (`https://collector.example/v1/traces`), and `otlp_headers`, header
 * name → value where every value names a tenant secret (`"Bearer {{ env.OTLP_TOKEN }}"`): the
 * settings hold references only, so reading settings never shows a credential. A tenant is traced
 * exactly when `otlp_endpoint` is set; a run is traced when it started while it was.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { parseSecretTemplate } from "../../engine/secrets/secret-template.ts";
import type { RunTrace } from "../../engine/telemetry/run-spans.ts";
import { parseTraceparent } from "../../engine/telemetry/traceparent.ts";

export const MAX_OTLP_HEADERS = 16;
const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Headers the exporter sets itself or that no collector needs from a tenant. */
const RESERVED_HEADERS = new Set(["content-type", "content-length", "host", "traceparent", "tracestate"]);

const endpointSchema = z
  .string()
  .max(2048)
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), "an http(s) URL");

const headerValueSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((text) => {
    const parsed = parseSecretTemplate(text);
    return parsed.ok && parsed.parts.some((part) => part.kind !== "text");
  }, 'each value must name a tenant secret, e.g. "Bearer {{ env.OTLP_TOKEN }}" (PUT /admin/tenants/:id/secrets/OTLP_TOKEN)');

const headersSchema = z
  .record(
    z.string().regex(HEADER_NAME, "header names are lowercase letters, digits and -"),
    headerValueSchema,
  )
  .refine((headers) => Object.keys(headers).length <= MAX_OTLP_HEADERS, `at most ${MAX_OTLP_HEADERS} headers`)
  .refine(
    (headers) => Object.keys(headers).every((name) => !RESERVED_HEADERS.has(name)),
    "a reserved header",
  );

/** Throws `settings.invalid` for a bad `otlp_endpoint` or `otlp_headers`; `null` removes one. */
export function checkTraceSettingsPatch(patch: Readonly<Record<string, unknown>>): void {
  for (const [name, schema] of [
    ["otlp_endpoint", endpointSchema],
    ["otlp_headers", headersSchema],
  ] as const) {
    if (!Object.hasOwn(patch, name) || patch[name] === null) continue;
    const parsed = schema.safeParse(patch[name]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join(".")})` : "";
      throw new EngineError(
        "settings.invalid",
        `Setting ${name}${where}: ${issue?.message ?? "invalid value"}.`,
        {
          path: name,
        },
      );
    }
  }
}

/** Where a tenant's spans go, or `undefined` when tracing is off. Header values are still secret references. */
export interface TraceTarget {
  endpoint: string;
  headers: Record<string, string>;
}

export function traceTargetOf(settings: Readonly<Record<string, unknown>>): TraceTarget | undefined {
  const endpoint = endpointSchema.safeParse(settings.otlp_endpoint);
  if (!endpoint.success) return undefined;
  const headers = headersSchema.safeParse(settings.otlp_headers ?? {});
  return { endpoint: endpoint.data, headers: headers.success ? headers.data : {} };
}

/**
 * The trace of a run starting now (`RunInit.trace`): `{}` when the tenant is not traced; else the
 * caller's trace when `traceparent` is a valid one (an invalid one is ignored), or a new one.
 */
export function runTraceFor(
  settings: Readonly<Record<string, unknown>>,
  traceparent: string | undefined,
): { trace?: RunTrace } {
  if (traceTargetOf(settings) === undefined) return {};
  const parent = parseTraceparent(traceparent);
  if (parent !== undefined) return { trace: { traceId: parent.traceId, parentSpanId: parent.spanId } };
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) | 1; // never all zero
  return { trace: { traceId: Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("") } };
}
