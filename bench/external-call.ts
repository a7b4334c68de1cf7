/**
 * @module
 * One `external_call` step against a local target under `wrangler dev` (issue 11): a workflow of
 * that one step (`http@^1`, base_url a Node HTTP server on 127.0.0.1), started `RUNS` times at
 * concurrency 1, each from `workflow_start` to the run completed (its step done), beside one direct
 * fetch of the same target from the worker in the same run (`GET /bench/direct-fetch`, a
 * test-only entry: test/worker/support/direct-fetch-worker.ts), interleaved run by run. Measured
 * against the worker in workerd itself, not through wrangler's dev proxy.
 *
 * Two views of each: the client's (start → `workflow_get_status` says completed, polled every
 * `POLL_MS`, so up to that much late; the direct fetch's whole round trip through the worker) and
 * the server's (the run's own `created_at` → `completed_at`; the worker's clock around its fetch,
 * both whole milliseconds, since workerd's clock moves only across I/O).
 */

import { createTenantClient, type EdgeflowClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { startHttpTarget } from "../test/support/plugin-targets/http-target.ts";
import { type BenchSection, type Figure, msVersus, percentile, round } from "./report.ts";

const RUNS = 200;
const WARM_UP = 10;
const POLL_MS = 2;
const TENANT = "bench-external-call";

function workflow(baseUrl: string): string {
  return `name: "bench:external-call"
description: "One external_call step against a local target"
version: "1.0.0"
services:
  target:
    uses: "http@^1"
    config:
      base_url: "${baseUrl}"
steps:
  - id: "call"
    type: "external_call"
    service: "target"
    method: "deploy"
    params:
      version: "1.0.0"
`;
}

interface Sample {
  /** client: workflow_start sent → the run seen completed */
  runMs: number;
  /** client: workflow_start sent → its answer (the run started, its call not yet made) */
  startMs: number;
  /** server: the run's created_at → completed_at */
  runServerMs: number;
  /** client: GET /bench/direct-fetch round trip */
  directMs: number;
  /** server: the worker's clock around its fetch */
  directServerMs: number;
}

async function oneRun(client: EdgeflowClient): Promise<Pick<Sample, "runMs" | "startMs" | "runServerMs">> {
  const started = performance.now();
  const run = await client.tool("workflow_start", { workflow: "bench:external-call" });
  const startMs = performance.now() - started;
  const id = run.workflow_id as string;
  for (;;) {
    const status = await client.tool("workflow_get_status", { workflow_id: id });
    if (status.status === "completed") {
      const runMs = performance.now() - started;
      const runServerMs = Date.parse(status.completed_at as string) - Date.parse(status.created_at as string);
      return { runMs, startMs, runServerMs };
    }
    if (status.status !== "running" && status.status !== "waiting") {
      throw new Error(`run ${id} ended ${status.status}: ${JSON.stringify(status.error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function oneDirectFetch(
  workerUrl: string,
  targetUrl: string,
): Promise<Pick<Sample, "directMs" | "directServerMs">> {
  const started = performance.now();
  const res = await fetch(`${workerUrl}/bench/direct-fetch?url=${encodeURIComponent(targetUrl)}`);
  const answer = (await res.json()) as { status: number; fetch_ms: number };
  const directMs = performance.now() - started;
  if (!res.ok || answer.status !== 200)
    throw new Error(`direct fetch: ${res.status} ${JSON.stringify(answer)}`);
  return { directMs, directServerMs: answer.fetch_ms };
}

function quantiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
}

export async function benchExternalCall(): Promise<BenchSection> {
  const target = await startHttpTarget();
  const targetBase = `http://127.0.0.1:${target.port}/echo`;
  const server = await startWranglerDev({
    exposeWorkerUrl: true,
    vars: { EDGEFLOW_ALLOW_PRIVATE_EGRESS: "1" },
    script: "test/worker/support/direct-fetch-worker.ts",
  });
  try {
    const workerUrl = server.workerUrl!;
    const client = await createTenantClient(workerUrl, server.adminToken, TENANT);
    await client.tool("workflow_publish", { yaml: workflow(targetBase) });
    const samples: Sample[] = [];
    for (let i = 0; i < WARM_UP + RUNS; i++) {
      const run = await oneRun(client);
      const direct = await oneDirectFetch(workerUrl, `${targetBase}/deploy`);
      if (i >= WARM_UP) samples.push({ ...run, ...direct });
    }
    const run = quantiles(samples.map((sample) => sample.runMs));
    const start = quantiles(samples.map((sample) => sample.startMs));
    const runServer = quantiles(samples.map((sample) => sample.runServerMs));
    const direct = quantiles(samples.map((sample) => sample.directMs));
    const directServer = quantiles(samples.map((sample) => sample.directServerMs));
    const runs = `${RUNS} runs at concurrency 1 after ${WARM_UP} warm-up runs`;
    const figures: Record<string, Figure> = {
      start_to_step_done_p50: msVersus(run.p50, "direct fetch from the worker, round trip p50", direct.p50, {
        note: `workflow_start → workflow_get_status completed (polled every ${POLL_MS} ms); ${runs}`,
      }),
      start_to_step_done_p99: msVersus(run.p99, "direct fetch from the worker, round trip p99", direct.p99, {
        note: runs,
      }),
      workflow_start_answer_p50: msVersus(
        start.p50,
        "direct fetch from the worker, round trip p50",
        direct.p50,
        {
          note: "workflow_start alone: the part of start_to_step_done before the first poll",
        },
      ),
      run_created_to_completed_p50: msVersus(
        runServer.p50,
        "the worker's own fetch of the target p50",
        directServer.p50,
        { note: "the run's own created_at → completed_at (whole ms)" },
      ),
      run_created_to_completed_p99: msVersus(
        runServer.p99,
        "the worker's own fetch of the target p99",
        directServer.p99,
        { note: "the run's own created_at → completed_at (whole ms)" },
      ),
    };
    return { name: "external_call step against a local target under wrangler dev", figures };
  } finally {
    await server.stop();
    await new Promise<void>((resolve) => target.server.close(() => resolve()));
  }
}
