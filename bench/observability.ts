/**
 * @module
 * The cost of observability, measured in one `wrangler dev`: the same requests against tenants
 * that differ only in their observability settings, measured one after the other in the same run
 * at the same concurrency, each figure beside the tenant with everything off:
 * - `workflow_get_next_step` on a run whose step is handed out again (the MCP hot path);
 * - a signed webhook delivery that starts a run (the intake path: event and run counters);
 * - a run's whole cycle: `workflow_start`, `workflow_get_next_step`, `workflow_step_complete` (the
 *   run index update with the step-duration batch).
 * `VARIANTS` is the hook for more settings: a variant is a name and the tenant settings that turn
 * it on. Two are measured: metrics on, and metrics with tracing on (`otlp_endpoint` pointing at a
 * local OTLP/HTTP sink, bench/otlp-sink.ts, with a secret bearer header; `wrangler dev` runs with
 * `EDGEFLOW_ALLOW_PRIVATE_EGRESS=1` so the TenantDO may post to 127.0.0.1). Spans are exported
 * when they end (a run's step completed, a run finished), so after the measurements the traced
 * tenant's `get_next_step` runs are completed and the sink's count of spans is reported, with the
 * root spans of those runs: the proof that tracing was on for them.
 */
import { signWebhook } from "../engine/events/index.ts";
import { createTenantClient, type EdgeflowClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { type LoadResult, runLoad, warmThenRun } from "./load.ts";
import { type OtlpSink, startOtlpSink } from "./otlp-sink.ts";
import { type BenchSection, type Figure, msVersus, round } from "./report.ts";

const DURATION_MS = 3_000;
const CONNECTIONS = [1, 8] as const;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/** the sink's bearer token, stored as the tenant secret OTLP_TOKEN and sent as a secret header */
const OTLP_TOKEN = "otlp_bench_4d1c7e93a0b2";
/** how long to wait for the last spans after the measurements (the exporter's alarm is 2 s) */
const SPANS_SETTLE_MS = 30_000;

/** The baseline: every observability setting off. */
const OFF: Record<string, unknown> = { metrics_enabled: false };

interface Variant {
  /** in the figure names: `c1_next_step_<name>_p50` */
  name: string;
  /** what is on, for the notes */
  label: string;
  /** the tenant settings that turn it on, given the local OTLP sink */
  settings: (sink: OtlpSink) => Record<string, unknown>;
}

/** Observability settings measured against `OFF`. */
export const VARIANTS: readonly Variant[] = [
  { name: "metrics", label: "metrics", settings: () => ({ metrics_enabled: true }) },
  {
    name: "tracing",
    label: "metrics and tracing",
    settings: (sink) => ({
      metrics_enabled: true,
      otlp_endpoint: sink.endpoint,
      otlp_headers: { authorization: "Bearer {{ env.OTLP_TOKEN }}" },
    }),
  },
];

const LIMITS = {
  rate_limit_mcp_per_minute: 1_000_000,
  rate_limit_webhooks_per_minute: 1_000_000,
  max_event_runs_per_minute: 1_000_000,
};

const NEXT_STEP = `name: "bench:obs-step"
description: "one pending client step, handed out again on every call"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

const ON_HOOK = `name: "bench:obs-hook"
description: "a run per signed delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/obs"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "say"
    type: "user_message"
    message: "got {{ event.payload.n }}"
`;

interface Tenant {
  client: EdgeflowClient;
  runs: string[];
}

async function prepareTenant(
  baseUrl: string,
  adminToken: string,
  id: string,
  settings: Record<string, unknown>,
): Promise<Tenant> {
  const client = await createTenantClient(baseUrl, adminToken, id);
  const res = await fetch(`${baseUrl}/admin/tenants/${id}/settings`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ ...LIMITS, ...settings }),
  });
  if (!res.ok) throw new Error(`settings of ${id}: ${res.status} ${await res.text()}`);
  await client.setSecret("WEBHOOK_SECRET", SECRET);
  await client.setSecret("OTLP_TOKEN", OTLP_TOKEN);
  await client.tool("workflow_publish", { yaml: NEXT_STEP });
  await client.tool("workflow_publish", { yaml: ON_HOOK });
  const runs: string[] = [];
  for (let i = 0; i < Math.max(...CONNECTIONS); i += 1) {
    const started = await client.tool("workflow_start", { workflow: "bench:obs-step" });
    runs.push(String(started.workflow_id));
  }
  return { client, runs };
}

type Workload = (tenant: Tenant, baseUrl: string) => () => Promise<void>;

const nextStep: Workload = (tenant) => {
  let turn = 0;
  return async () => {
    const runId = tenant.runs[turn++ % tenant.runs.length]!;
    const answer = await tenant.client.tool("workflow_get_next_step", { workflow_id: runId });
    if (answer.status !== "steps") throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
  };
};

let delivery = 0;
const webhook: Workload = (tenant, baseUrl) => async () => {
  const n = delivery++;
  const body = JSON.stringify({ n });
  const headers = await signWebhook({
    scheme: "standard",
    secret: SECRET,
    body,
    now: Date.now(),
    id: `msg_obs_${n}`,
  });
  const res = await fetch(`${baseUrl}/hooks/${tenant.client.tenant}/obs`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`webhook answered ${res.status} ${text.slice(0, 200)}`);
};

const runCycle: Workload = (tenant) => async () => {
  const { workflow_id: runId } = await tenant.client.tool("workflow_start", { workflow: "bench:obs-step" });
  await tenant.client.tool("workflow_get_next_step", { workflow_id: runId });
  const done = await tenant.client.tool("workflow_step_complete", {
    workflow_id: runId,
    step_id: "work",
    result: {},
  });
  if (done.run_status !== "completed") throw new Error(`run not completed: ${JSON.stringify(done)}`);
};

const WORKLOADS: readonly { name: string; workload: Workload }[] = [
  { name: "next_step", workload: nextStep },
  { name: "webhook", workload: webhook },
  { name: "run_cycle", workload: runCycle },
];

function errorsOf(result: LoadResult): string {
  return result.errors === 0 ? "" : `; ${result.errors} errors (${result.firstError})`;
}

export async function benchObservability(): Promise<BenchSection> {
  const sink = await startOtlpSink(OTLP_TOKEN);
  const server = await startWranglerDev({
    exposeWorkerUrl: true,
    vars: { EDGEFLOW_ALLOW_PRIVATE_EGRESS: "1" },
  }).catch(async (error: unknown) => {
    await sink.stop();
    throw error;
  });
  try {
    const baseUrl = server.workerUrl!;
    const off = await prepareTenant(baseUrl, server.adminToken, "bench-obs-off", OFF);
    const variants = [];
    for (const variant of VARIANTS) {
      const tenantId = `bench-obs-${variant.name.replace(/[^a-z0-9]+/g, "-")}`;
      variants.push({
        ...variant,
        tenant: await prepareTenant(baseUrl, server.adminToken, tenantId, variant.settings(sink)),
      });
    }
    const figures: Record<string, Figure> = {};
    for (const { name, workload } of WORKLOADS) {
      for (const connections of CONNECTIONS) {
        const baseline = await warmThenRun(connections, DURATION_MS, workload(off, baseUrl));
        for (const variant of variants) {
          const result = await warmThenRun(connections, DURATION_MS, workload(variant.tenant, baseUrl));
          if (result.errors > 0)
            console.error(`${name}: ${result.firstError}\n${server.output().slice(-2_000)}`);
          // the baseline again after the variant: the two halves of the run bracket it
          const again = await runLoad({
            connections,
            durationMs: DURATION_MS,
            request: workload(off, baseUrl),
          });
          const offP50 = round((baseline.p50Ms + again.p50Ms) / 2);
          const offP99 = round((baseline.p99Ms + again.p99Ms) / 2);
          const note = `${variant.label} on vs off, same run; off is the mean of before and after${errorsOf(result)}${errorsOf(baseline)}`;
          figures[`c${connections}_${name}_${variant.name}_p50`] = msVersus(
            result.p50Ms,
            "everything off, p50",
            offP50,
            { note },
          );
          figures[`c${connections}_${name}_${variant.name}_p99`] = msVersus(
            result.p99Ms,
            "everything off, p99",
            offP99,
          );
        }
      }
    }
    const traced = variants.find((variant) => variant.name === "tracing")!.tenant;
    figures.tracing_spans_received = await spansReceived(sink, traced);
    return { name: "observability cost (metrics, metrics + tracing, vs everything off, same run)", figures };
  } finally {
    await server.stop();
    await sink.stop();
  }
}

/**
 * Completes the traced tenant's `get_next_step` runs, waits until the sink has their root spans
 * and its count has stopped moving, and reports what it received.
 */
async function spansReceived(sink: OtlpSink, traced: Tenant): Promise<Figure> {
  for (const runId of traced.runs) {
    await traced.client.tool("workflow_step_complete", { workflow_id: runId, step_id: "work", result: {} });
  }
  const deadline = performance.now() + SPANS_SETTLE_MS;
  let last = -1;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { spans } = sink.counts();
    if (spans === last && traced.runs.every((runId) => sink.sawRun(runId))) break;
    last = spans;
  }
  const counts = sink.counts();
  const seen = traced.runs.filter((runId) => sink.sawRun(runId)).length;
  const byWorkflow = Object.entries(counts.spansByWorkflow)
    .map(([workflow, spans]) => `${workflow} ${spans}`)
    .join(", ");
  return {
    value: counts.spans,
    unit: "spans",
    note:
      `received by the local OTLP/HTTP sink from the traced tenant in ${counts.requests} export requests ` +
      `(${counts.refused} refused), ${counts.rootSpans} of them run (root) spans; by workflow: ${byWorkflow}; ` +
      `root spans of ${seen} of the ${traced.runs.length} runs get_next_step was measured on, once completed ` +
      "(a span is exported when it ends: the webhook's runs, left waiting, export none)",
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  printSection(await benchObservability());
}
