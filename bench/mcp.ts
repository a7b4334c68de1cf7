/**
 * @module
 * Runtime benchmark under `wrangler dev`: MCP `tools/call workflow_get_next_step` round trips at
 * concurrency 1 and 16 (each connection drives its own run, as separate agents would), beside
 * `GET /healthz` measured in the same run at the same concurrency. Issue 3's targets: p50 under
 * 5 ms locally, ratio to /healthz under 3.
 */
import { createTenantClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { type BenchSection, type Figure, round } from "./report.ts";

const DURATION_MS = 5_000;

const WORKFLOW = `name: "bench:next-step"
description: "one pending client step, handed out again on every call"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

export async function benchMcp(): Promise<BenchSection> {
  const server = await startWranglerDev();
  try {
    const mcp = (await createTenantClient(server.baseUrl, server.adminToken, "bench-mcp")).tool;
    await mcp("workflow_publish", { yaml: WORKFLOW });
    const runs: string[] = [];
    for (let i = 0; i < 16; i += 1) {
      const started = await mcp("workflow_start", { workflow: "bench:next-step" });
      runs.push(String(started.workflow_id));
    }
    const health = async () => {
      const res = await fetch(`${server.baseUrl}/healthz`);
      if (!res.ok) throw new Error(`healthz ${res.status}`);
      await res.arrayBuffer();
    };
    const figures: Record<string, Figure> = {};
    for (const connections of [1, 16]) {
      await runLoad({ connections, durationMs: 1_000, request: health }); // warm-up
      const baseline = await runLoad({ connections, durationMs: DURATION_MS, request: health });
      let turn = 0;
      const nextStep = async () => {
        const runId = runs[turn++ % connections]!;
        const answer = await mcp("workflow_get_next_step", { workflow_id: runId });
        if (answer.status !== "steps") throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
      };
      await runLoad({ connections, durationMs: 1_000, request: nextStep }); // warm-up
      const result = await runLoad({ connections, durationMs: DURATION_MS, request: nextStep });
      Object.assign(figures, describe(`c${connections}`, result, baseline));
    }
    return { name: "remote MCP under wrangler dev (workflow_get_next_step vs GET /healthz)", figures };
  } finally {
    await server.stop();
  }
}

function describe(prefix: string, result: LoadResult, baseline: LoadResult): Record<string, Figure> {
  const base = (name: string, value: number) => ({ name: `GET /healthz ${name}`, value, unit: "ms" });
  return {
    [`${prefix}_next_step_p50`]: {
      value: result.p50Ms,
      unit: "ms",
      baseline: base("p50", baseline.p50Ms),
      ratio: round(result.p50Ms / baseline.p50Ms, 2),
      target: "p50 < 5 ms, ratio < 3",
    },
    [`${prefix}_next_step_p99`]: {
      value: result.p99Ms,
      unit: "ms",
      baseline: base("p99", baseline.p99Ms),
      ratio: round(result.p99Ms / baseline.p99Ms, 2),
    },
    [`${prefix}_next_step_throughput`]: {
      value: result.rps,
      unit: "req/s",
      note: `${result.requests} requests, ${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""}`,
    },
    [`${prefix}_healthz_throughput`]: {
      value: baseline.rps,
      unit: "req/s",
      note: `${baseline.errors} errors`,
    },
  };
}
