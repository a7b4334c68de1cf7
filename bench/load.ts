/**
 * @module
 * The benchmark's load generator: `connections` concurrent loops, each sending one request after
 * another for a fixed time, with every latency recorded at sub-millisecond precision and every
 * answer checked by the caller (an MCP error arrives as HTTP 200, so a status check is not enough).
 * Written here rather than taken from autocannon for those two reasons.
 */
import { percentile, round } from "./report.ts";

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
