/**
 * @module
 * A local OTLP/HTTP trace sink for the `observability` benchmark: a Node HTTP server on
 * 127.0.0.1 (a free port) standing in for a collector. `POST /v1/traces` with the expected bearer
 * token is answered 200 and its spans are counted (in total, root spans, and by the span's
 * `edgeflow.workflow` attribute; the root spans' run ids are kept); anything else is answered 404
 * (or 401 without the token) and counted as refused. Bodies past `MAX_BODY_BYTES` are refused
 * with 413. It decodes the OTLP JSON the TenantDO posts (engine/telemetry/otlp-json.ts).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { OtlpSpan, OtlpTraceRequest } from "../engine/telemetry/otlp-json.ts";

const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** SPAN_KIND_SERVER: the run's root span (docs/observability.md, "Span model") */
const ROOT_KIND = 2;

export interface OtlpSinkCounts {
  /** accepted export requests */
  requests: number;
  spans: number;
  rootSpans: number;
  /** spans by their `edgeflow.workflow` attribute */
  spansByWorkflow: Record<string, number>;
  /** requests answered other than 200 (wrong path, method or token, too large, not OTLP JSON) */
  refused: number;
}

export interface OtlpSink {
  /** the `otlp_endpoint` to give a tenant */
  endpoint: string;
  counts(): OtlpSinkCounts;
  /** whether a root span of run `runId` arrived */
  sawRun(runId: string): boolean;
  stop(): Promise<void>;
}

export async function startOtlpSink(bearerToken: string): Promise<OtlpSink> {
  const counts: OtlpSinkCounts = { requests: 0, spans: 0, rootSpans: 0, spansByWorkflow: {}, refused: 0 };
  const runs = new Set<string>();
  const refuse = (status: number) => {
    counts.refused += 1;
    return status;
  };
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        if (request.method !== "POST" || request.url !== "/v1/traces") return refuse(404);
        if (request.headers.authorization !== `Bearer ${bearerToken}`) return refuse(401);
        if (body === undefined) return refuse(413);
        const spans = spansOf(body);
        if (spans === undefined) return refuse(400);
        counts.requests += 1;
        for (const span of spans) {
          counts.spans += 1;
          const workflow = attribute(span, "edgeflow.workflow") ?? "(none)";
          counts.spansByWorkflow[workflow] = (counts.spansByWorkflow[workflow] ?? 0) + 1;
          if (span.kind !== ROOT_KIND) continue;
          counts.rootSpans += 1;
          const runId = attribute(span, "edgeflow.run.id");
          if (runId !== undefined) runs.add(runId);
        }
        return 200;
      })
      .catch(() => refuse(400))
      .then((status) => {
        response.writeHead(status, { "content-type": "application/json" }).end("{}");
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the OTLP sink has no port");
  return {
    endpoint: `http://127.0.0.1:${address.port}/v1/traces`,
    counts: () => structuredClone(counts),
    sawRun: (runId) => runs.has(runId),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The body as text, or undefined past `MAX_BODY_BYTES` (the rest is read and dropped). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8");
}

function spansOf(body: string): OtlpSpan[] | undefined {
  const parsed = JSON.parse(body) as Partial<OtlpTraceRequest>;
  if (!Array.isArray(parsed.resourceSpans)) return undefined;
  return parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value !== undefined && "stringValue" in value ? value.stringValue : undefined;
}
