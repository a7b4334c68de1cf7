/**
 * @module
 * The benchmark's load generator: `connections` concurrent loops, each sending one request after
 * another for a fixed time, with every latency recorded at sub-millisecond precision and every
 * answer checked by the caller (an MCP error arrives as HTTP 200, so a status check is not enough).
 * Written here rather than taken from autocannon for those two reasons.
 */
import { type Figure, msVersus, percentile, round } from "./report.ts";

export interface LoadOptions {
  connections: number;
  durationMs: number;
  /** sends one request and throws if its answer is wrong */
  request: () => Promise<void>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + options.durationMs;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      try {
        await options.request();
        latencies.push(performance.now() - start);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    ...(firstError ? { firstError } : {}),
    rps: round(((latencies.length + errors) * 1000) / elapsed, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
  };
}

/** One second of the same load first (connections opened, code warm), then the measured run. */
export async function warmThenRun(
  connections: number,
  durationMs: number,
  request: () => Promise<void>,
): Promise<LoadResult> {
  await runLoad({ connections, durationMs: 1_000, request });
  return runLoad({ connections, durationMs, request });
}

/** A request for the load generator: `GET <baseUrl>/healthz`, which must answer 2xx. */
export function healthz(baseUrl: string): () => Promise<void> {
  return async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    if (!res.ok) throw new Error(`healthz ${res.status}`);
    await res.arrayBuffer();
  };
}

export interface LoadFigureOptions {
  /** what one request is, for the throughput figure ("req/s", "events/s") */
  rateUnit: string;
  /** what the requests are called in the note ("requests", "deliveries") */
  noun: string;
  p50Target?: string;
  p99Target?: string;
}

/**
 * `<prefix>_<what>_p50`, `_p99` and `_throughput`, each beside `GET /healthz` measured at the same
 * concurrency in the same run, and `<prefix>_healthz_throughput`.
 */
export function loadFigures(
  prefix: string,
  what: string,
  result: LoadResult,
  baseline: LoadResult,
  options: LoadFigureOptions,
): Record<string, Figure> {
  const failures = `${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""}`;
  const target = (text: string | undefined) => (text === undefined ? {} : { target: text });
  return {
    [`${prefix}_${what}_p50`]: msVersus(
      result.p50Ms,
      "GET /healthz p50",
      baseline.p50Ms,
      target(options.p50Target),
    ),
    [`${prefix}_${what}_p99`]: msVersus(
      result.p99Ms,
      "GET /healthz p99",
      baseline.p99Ms,
      target(options.p99Target),
    ),
    [`${prefix}_${what}_throughput`]: {
      value: result.rps,
      unit: options.rateUnit,
      note: `${result.requests} ${options.noun}, ${failures}`,
    },
    [`${prefix}_healthz_throughput`]: {
      value: baseline.rps,
      unit: "req/s",
      note: `${baseline.errors} errors`,
    },
  };
}

/** `PATCH <baseUrl><path>` as the admin (a tenant's settings, say); throws unless it answers 2xx. */
export async function adminPatch(
  baseUrl: string,
  adminToken: string,
  path: string,
  body: unknown,
): Promise<void> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PATCH ${path}: ${res.status} ${await res.text()}`);
}
