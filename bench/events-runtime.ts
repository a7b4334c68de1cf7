/**
 * @module
 * Event intake under `wrangler dev` (issue 5's runtime targets), measured with the shared load
 * generator against the worker in workerd itself (wrangler's dev proxy, a second workerd that
 * forwards every request and is absent when deployed, is measured once more at the end): signed
 * webhook → 202 at concurrency 1 and 32, beside `GET /healthz` at the same concurrency in the
 * same run (ratio), each delivery starting a run, and at concurrency 1 also a
 * delivery whose filter starts none (the ack without a run start competing for the one workerd
 * thread); event received → the run's first server-side step started, from the server's own
 * timestamps (`received_at` of the event, `started_at` of the run as the RunDO records it); and
 * sustained intake for 10 s: signed webhooks each starting a run (concurrency 32), the same
 * starting none (their filter drops them: what intake alone sustains), and posted
 * events in batches of 100 matched against a file_change subscription (concurrency 8).
 * Every delivery is a fresh signed Standard Webhooks delivery (pre-signed, so signing is not
 * timed). Targets: ack p99 < 10 ms, event-to-start p50 < 5 ms, intake ≥ 1,000 events/s per tenant.
 */
import { loadavg } from "node:os";
import { signWebhook } from "../engine/events/index.ts";
import { createTenantClient, type EdgeflowClient, eventually } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { adminPatch, healthz, loadFigures, runLoad, warmThenRun } from "./load.ts";
import { type BenchSection, type Figure, msVersus, percentile, round, withBaseline } from "./report.ts";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TENANT = "bench-events";
const DURATION_MS = 5_000;
const SUSTAINED_MS = 10_000;
const BATCH = 100;

/** Every delivery to /bench-filtered is dropped by the filter: the ack without a run start. */
export const FILTERED = `name: "bench:filtered"
description: "a filter that drops every delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/bench-filtered"
    secret: "{{ env.WEBHOOK_SECRET }}"
    filter: "payload.n < 0"
  - type: file_change
    pattern: "src/**/*.ts"
    filter: "!path.includes('test') && path.length > 1000"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

export const WORKFLOW = `name: "bench:on-hook"
description: "one run per signed delivery; its first step is server-side"
version: "1.0.0"
inputs:
  n:
    type: "number"
    description: "delivery number"
default_state:
  state:
    seen: 0
triggers:
  - type: webhook
    endpoint: "/bench"
    secret: "{{ env.WEBHOOK_SECRET }}"
    inputs_mapping:
      n: "payload.n"
steps:
  - id: "record"
    type: "set_state"
    state_update:
      path: "this.seen"
      value: "{{ inputs.n }}"
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

/**
 * Quotas and rate limits out of the way: the bench's runs wait at a client step, so they stay
 * active, and the default `max_active_runs` (1,000) would otherwise refuse starts part way through
 * (fast `start_failed`s that flatter the with-runs figures).
 */
export const BENCH_LIMITS = {
  max_event_runs_per_minute: 1_000_000,
  max_active_runs: 100_000,
  max_runs_per_day: 10_000_000,
  max_stored_runs: 1_000_000,
  rate_limit_webhooks_per_minute: 1_000_000,
};

/** The figures issue 16 targets, as they were before its levers (bench/README.md of 2026-11-27). */
const BEFORE_ISSUE_16: Record<string, string> = {
  sustained_intake_webhooks_no_run: "before issue 16 (2026-11-27, quiet machine): 330.1 events/s",
  sustained_intake_with_runs: "before issue 16 (2026-11-27, quiet machine): 98.7 events/s",
  c1_webhook_ack_p99: "before issue 16 (2026-11-27): 24.731 ms, 3.77x healthz",
  c32_webhook_ack_p99: "before issue 16 (2026-11-27): 356.427 ms, 5.46x healthz",
  c1_event_to_start_p50: "before issue 16 (2026-11-27): 6 ms",
};

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** The bench tenant: its webhook secret, the limits lifted (`BENCH_LIMITS`), both workflows published. */
export async function intakeTenant(
  baseUrl: string,
  adminToken: string,
  tenant = TENANT,
): Promise<EdgeflowClient> {
  const client = await createTenantClient(baseUrl, adminToken, tenant);
  await client.setSecret("WEBHOOK_SECRET", SECRET);
  await adminPatch(baseUrl, adminToken, `/admin/tenants/${tenant}/settings`, BENCH_LIMITS);
  await client.tool("workflow_publish", { yaml: WORKFLOW });
  await client.tool("workflow_publish", { yaml: FILTERED });
  return client;
}

export async function benchEventsRuntime(): Promise<BenchSection> {
  const server = await startWranglerDev({ exposeWorkerUrl: true });
  try {
    // the worker in workerd itself; wrangler's dev proxy is measured once, at the end
    const baseUrl = server.workerUrl!;
    const client = await intakeTenant(baseUrl, server.adminToken);
    let sequence = 0;
    const hookUrl = `${baseUrl}/hooks/${TENANT}/bench`;
    const health = healthz(baseUrl);
    const webhook =
      (pool: Delivery[], url = hookUrl, runs = 1) =>
      async () => {
        const delivery = pool.pop() ?? (await deliveries(1, sequence++))[0]!;
        const res = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
        const text = await res.text();
        if (res.status !== 202) throw new Error(`webhook answered ${res.status} ${text.slice(0, 200)}`);
        const answer = JSON.parse(text) as { runs: string[] };
        if (answer.runs.length !== runs) throw new Error(`expected ${runs} run(s), got ${text}`);
      };

    const figures: Record<string, Figure> = {};
    for (const connections of [1, 32]) {
      const baseline = await warmThenRun(connections, DURATION_MS, health);
      const warmPool = await deliveries(connections * 400, sequence);
      sequence += warmPool.length;
      await runLoad({ connections, durationMs: 1_000, request: webhook(warmPool) }); // warm-up
      const pool = await deliveries(connections === 1 ? 6_000 : 20_000, sequence);
      sequence += pool.length;
      const result = await runLoad({ connections, durationMs: DURATION_MS, request: webhook(pool) });
      Object.assign(
        figures,
        loadFigures(`c${connections}`, "webhook_ack", result, baseline, {
          rateUnit: "events/s",
          noun: "deliveries",
          p99Target: "p99 < 10 ms",
        }),
      );
      const { delays, error } = await startDelays(client);
      Object.assign(figures, delayFigures(`c${connections}`, delays, error));
      if (connections === 1) {
        const filteredPool = await deliveries(6_000, sequence);
        sequence += filteredPool.length;
        const filtered = await runLoad({
          connections,
          durationMs: DURATION_MS,
          request: webhook(filteredPool, `${hookUrl}-filtered`, 0),
        });
        figures.c1_webhook_ack_no_run_p50 = msVersus(filtered.p50Ms, "GET /healthz p50", baseline.p50Ms, {
          note: "a delivery its filter drops: verify, dedup, match, store, 202; no run start",
        });
        figures.c1_webhook_ack_no_run_p99 = msVersus(filtered.p99Ms, "GET /healthz p99", baseline.p99Ms, {
          target: "p99 < 10 ms",
          note: `${filtered.requests} deliveries, ${filtered.errors} errors`,
        });
      }
    }

    // the ceiling on this machine: the no-op route at the same concurrency for as long, same server
    const ceiling = await warmThenRun(32, SUSTAINED_MS, health);
    const ceilingLoad = loadavg()[0]!;
    figures.sustained_healthz_ceiling = {
      value: ceiling.rps,
      unit: "req/s",
      note:
        `GET /healthz, 10 s at concurrency 32 on the same server just before the sustained intake runs ` +
        `(the load generator and workerd share the machine's cores): ${ceiling.requests} requests, ` +
        `${ceiling.errors} errors, p50 ${ceiling.p50Ms} ms, p99 ${ceiling.p99Ms} ms; load average ${round(ceilingLoad, 2)}`,
    };
    const ofCeiling = { name: "GET /healthz at concurrency 32, same run", value: ceiling.rps, unit: "req/s" };
    const pool = await deliveries(40_000, sequence);
    sequence += pool.length;
    const sustained = await runLoad({ connections: 32, durationMs: SUSTAINED_MS, request: webhook(pool) });
    const drainFrom = performance.now();
    const started = await startDelays(client);
    const drainSeconds = (performance.now() - drainFrom) / 1000;
    figures.sustained_runs_started = {
      value: round(sustained.requests / (SUSTAINED_MS / 1000 + drainSeconds), 1),
      unit: "runs/s",
      target: ">= 300 runs/s per tenant (issue 16)",
      note:
        `the ${sustained.requests} runs of the 10 s above over the 10 s plus the ${round(drainSeconds, 1)} s until ` +
        `the newest 200 events' runs had all started${started.error === undefined ? "" : ` (${started.error})`}`,
    };
    figures.sustained_intake_with_runs = {
      ...withBaseline(sustained.rps, "events/s", ofCeiling, 2),
      target: ">= 300 events/s per tenant, zero errors (issue 16)",
      note:
        `10 s at concurrency 32, one tenant, every event starting a run: ${sustained.requests} events, ` +
        `${sustained.errors} errors${sustained.firstError ? ` (${sustained.firstError})` : ""}; ack p50 ` +
        `${sustained.p50Ms} ms, p99 ${sustained.p99Ms} ms; ` +
        (started.error ?? `newest ${started.delays.length} runs all started`),
    };
    const filteredPool = await deliveries(40_000, sequence);
    sequence += filteredPool.length;
    const noRuns = await runLoad({
      connections: 32,
      durationMs: SUSTAINED_MS,
      request: webhook(filteredPool, `${hookUrl}-filtered`, 0),
    });
    figures.sustained_intake_webhooks_no_run = {
      ...withBaseline(noRuns.rps, "events/s", ofCeiling, 2),
      target: ">= 1,000 events/s per tenant, zero errors",
      note:
        `10 s at concurrency 32, one signed delivery per request, each verified, matched and stored ` +
        `durably, its filter starting no run: ${noRuns.requests} events, ${noRuns.errors} errors` +
        `${noRuns.firstError ? ` (${noRuns.firstError})` : ""}; ack p50 ${noRuns.p50Ms} ms, p99 ${noRuns.p99Ms} ms`,
    };
    let batchNumber = 0;
    const batch = async () => {
      const n = batchNumber++;
      const events = Array.from({ length: BATCH }, (_, i) => ({
        type: "file_change",
        source: "bench",
        payload: { path: `src/module-${n}/file-${i}.ts`, change: "modified" },
      }));
      const res = await fetch(`${baseUrl}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`POST /events answered ${res.status} ${text.slice(0, 200)}`);
      if ((JSON.parse(text) as { events: unknown[] }).events.length !== BATCH)
        throw new Error("short answer");
    };
    const batched = await warmThenRun(8, SUSTAINED_MS, batch);
    figures.sustained_intake_batched = {
      value: round(batched.rps * BATCH, 0),
      unit: "events/s",
      target: ">= 1,000 events/s per tenant, zero errors",
      note:
        `10 s of POST /events with ${BATCH} file_change events per request at concurrency 8, each matched ` +
        `(glob, filter) and stored, none starting a run: ${batched.requests} requests, ${batched.errors} errors` +
        `${batched.firstError ? ` (${batched.firstError})` : ""}; request p50 ${batched.p50Ms} ms, p99 ${batched.p99Ms} ms`,
    };

    const proxiedBaseline = await warmThenRun(1, DURATION_MS, healthz(server.baseUrl));
    const proxiedPool = await deliveries(6_000, sequence);
    sequence += proxiedPool.length;
    const proxied = await runLoad({
      connections: 1,
      durationMs: DURATION_MS,
      request: webhook(proxiedPool, `${server.baseUrl}/hooks/${TENANT}/bench`),
    });
    figures.c1_via_dev_proxy_webhook_ack_p50 = msVersus(
      proxied.p50Ms,
      "GET /healthz p50 via the proxy",
      proxiedBaseline.p50Ms,
      { note: "the same delivery through wrangler dev's proxy, as a sender to `wrangler dev` sees it" },
    );
    figures.c1_via_dev_proxy_webhook_ack_p99 = msVersus(
      proxied.p99Ms,
      "GET /healthz p99 via the proxy",
      proxiedBaseline.p99Ms,
      { note: `${proxied.requests} deliveries, ${proxied.errors} errors` },
    );
    for (const [name, before] of Object.entries(BEFORE_ISSUE_16)) {
      const figure = figures[name];
      if (figure !== undefined) figure.note = `${figure.note ?? ""}${figure.note ? "; " : ""}${before}`;
    }
    return { name: "events runtime in workerd (signed webhook → 202, event → run)", figures };
  } finally {
    await server.stop();
  }
}

/** `count` fresh signed deliveries (unique webhook-id, current timestamp), numbered from `from`. */
export async function deliveries(count: number, from: number): Promise<Delivery[]> {
  const now = Date.now();
  const pool: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const n = from + i;
    const body = JSON.stringify({ n, ref: "refs/heads/main", pusher: "bench" });
    const headers = await signWebhook({
      scheme: "standard",
      secret: SECRET,
      body,
      now,
      id: `msg_bench_${n}`,
    });
    pool.push({ body, headers: { ...headers, "content-type": "application/json" } });
  }
  return pool.reverse();
}

/**
 * For the newest 200 events, once none of their runs is pending: ms from received to each run's
 * start. A start that failed (a quota, say) would make intake look cheaper than it is, so any
 * `start_failed` or `rate_limited` match throws.
 */
export async function eventToStart(client: EdgeflowClient): Promise<number[]> {
  const delays = await eventually(
    async () => {
      const { events } = (await client.tool("workflow_events", {
        type: "webhook",
        status: "accepted",
        limit: 200,
      })) as {
        events: {
          received_at: string;
          matches: { outcome: string; started_at?: string; error?: unknown }[];
        }[];
      };
      const matches = events.flatMap((event) => event.matches.map((match) => ({ event, match })));
      if (matches.some(({ match }) => match.outcome === "pending")) return undefined;
      const refused = matches.filter(({ match }) => ["start_failed", "rate_limited"].includes(match.outcome));
      if (refused.length > 0)
        return `${refused.length} of ${matches.length} runs not started: ${JSON.stringify(refused[0]!.match).slice(0, 300)}`;
      return matches
        .filter(({ match }) => match.started_at !== undefined)
        .map(({ event, match }) => Date.parse(match.started_at!) - Date.parse(event.received_at))
        .sort((a, b) => a - b);
    },
    "the runs of the newest events to start",
    60_000,
  );
  if (typeof delays === "string") throw new Error(delays);
  return delays;
}

/** `eventToStart`, with a refusal or a timeout as a note rather than the end of the bench. */
async function startDelays(client: EdgeflowClient): Promise<{ delays: number[]; error?: string }> {
  try {
    return { delays: await eventToStart(client) };
  } catch (error) {
    return { delays: [], error: (error as Error).message.slice(0, 300) };
  }
}

function delayFigures(prefix: string, delays: number[], error?: string): Record<string, Figure> {
  const note =
    error === undefined
      ? `newest ${delays.length} events of the run above; server clock, 1 ms resolution`
      : `not measured: ${error}`;
  return {
    [`${prefix}_event_to_start_p50`]: {
      value: percentile(delays, 50),
      unit: "ms",
      target: "p50 < 5 ms",
      note,
    },
    [`${prefix}_event_to_start_p99`]: { value: percentile(delays, 99), unit: "ms", note },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  printSection(await benchEventsRuntime());
}
