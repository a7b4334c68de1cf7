/**
 * @module
 * How cost grows (issue 16, "Cost growth"), under `wrangler dev` against the worker in workerd
 * itself: the main figures (signed webhook → 202, `workflow_get_next_step`, a server-only run's
 * `workflow_start` → completed) at 1, 10 and 100 tenants, 32 requests in flight spread round-robin
 * over the tenants (each tenant is its own TenantDO: the total throughput is what grows), and at
 * 1, 100 and 1,000 file_change subscriptions in one tenant at concurrency 1, with a posted
 * file_change event matched against all of them (the matching cost). Every figure stands beside
 * `GET /healthz` measured in the same run at the same concurrency.
 * `BENCH_SCALE_TENANTS` and `BENCH_SCALE_SUBSCRIPTIONS` (comma lists) change the steps.
 */
import { loadavg } from "node:os";
import { signWebhook } from "../engine/events/index.ts";
import { createTenantClient, type EdgeflowClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { adminPatch, healthz, type LoadResult, warmThenRun } from "./load.ts";
import { NEXT_STEP_WORKFLOW } from "./mcp.ts";
import { type BenchSection, type Figure, msVersus } from "./report.ts";
import { SERVER_ONLY_WORKFLOW, startRequest, UNLIMITED_SETTINGS } from "./runs.ts";

const DURATION_MS = 3_000;
const CONNECTIONS = 32;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TENANT_STEPS = list(process.env.BENCH_SCALE_TENANTS, [1, 10, 100]);
const SUBSCRIPTION_STEPS = list(process.env.BENCH_SCALE_SUBSCRIPTIONS, [1, 100, 1_000]);
/** at most 50 triggers per workflow (engine/dialect/triggers.ts) */
const TRIGGERS_PER_WORKFLOW = 50;

/** Every delivery starts no run (its filter drops it): the ack itself, as in events-runtime. */
const HOOK_WORKFLOW = `name: "bench:hook"
description: "a signed webhook endpoint whose filter drops every delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/bench"
    secret: "{{ env.WEBHOOK_SECRET }}"
    filter: "payload.n < 0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

interface BenchTenant {
  client: EdgeflowClient;
  runId: string;
}

export async function benchScale(): Promise<BenchSection> {
  const server = await startWranglerDev({ exposeWorkerUrl: true });
  try {
    const baseUrl = server.workerUrl!;
    const figures: Record<string, Figure> = {};
    let created = 0;
    const newTenant = async (subscriptions = 0): Promise<BenchTenant> => {
      const id = `bench-scale-${created++}`;
      const client = await createTenantClient(baseUrl, server.adminToken, id);
      await adminPatch(baseUrl, server.adminToken, `/admin/tenants/${id}/settings`, UNLIMITED_SETTINGS);
      await client.setSecret("WEBHOOK_SECRET", SECRET);
      for (const yaml of [HOOK_WORKFLOW, NEXT_STEP_WORKFLOW, SERVER_ONLY_WORKFLOW, ...fillers(subscriptions)])
        await client.tool("workflow_publish", { yaml });
      const started = (await client.tool("workflow_start", { workflow: "bench:next-step" })) as {
        workflow_id: string;
      };
      return { client, runId: String(started.workflow_id) };
    };

    const tenants: BenchTenant[] = [];
    for (const count of TENANT_STEPS) {
      while (tenants.length < count) {
        const batch = Math.min(8, count - tenants.length);
        tenants.push(...(await Promise.all(Array.from({ length: batch }, () => newTenant()))));
      }
      const active = tenants.slice(0, count);
      const baseline = await warmThenRun(CONNECTIONS, DURATION_MS, healthz(baseUrl));
      const load = loadNote();
      const measured = {
        webhook_ack: await warmThenRun(CONNECTIONS, DURATION_MS, roundRobin(active.map(webhook))),
        next_step: await warmThenRun(CONNECTIONS, DURATION_MS, roundRobin(active.map(nextStep))),
        server_run: await warmThenRun(
          CONNECTIONS,
          DURATION_MS,
          roundRobin(active.map((t) => startRequest(t.client, "bench:server-only", "completed"))),
        ),
      };
      for (const [what, result] of Object.entries(measured))
        Object.assign(
          figures,
          tenantFigures(`tenants_${count}_c${CONNECTIONS}_${what}`, result, baseline, load),
        );
    }

    for (const count of SUBSCRIPTION_STEPS) {
      const tenant = await newTenant(count);
      const baseline = await warmThenRun(1, DURATION_MS, healthz(baseUrl));
      const load = loadNote();
      const measured = {
        webhook_ack: await warmThenRun(1, DURATION_MS, webhook(tenant)),
        next_step: await warmThenRun(1, DURATION_MS, nextStep(tenant)),
        server_run: await warmThenRun(
          1,
          DURATION_MS,
          startRequest(tenant.client, "bench:server-only", "completed"),
        ),
        file_event_ack: await warmThenRun(1, DURATION_MS, fileEvent(tenant)),
      };
      for (const [what, result] of Object.entries(measured)) {
        figures[`subscriptions_${count}_c1_${what}_p50`] = msVersus(
          result.p50Ms,
          "GET /healthz p50",
          baseline.p50Ms,
          {
            note:
              `${count} file_change subscriptions in the tenant (besides one webhook and one event trigger); ` +
              `${result.requests} requests, ${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""}, ` +
              `p99 ${result.p99Ms} ms; ${load}`,
          },
        );
      }
    }
    return { name: "cost growth: tenants and subscriptions", figures };
  } finally {
    await server.stop();
  }
}

function tenantFigures(
  prefix: string,
  result: LoadResult,
  baseline: LoadResult,
  load: string,
): Record<string, Figure> {
  const failures = `${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""}`;
  return {
    [`${prefix}_p50`]: msVersus(result.p50Ms, "GET /healthz p50", baseline.p50Ms, {
      note: `p99 ${result.p99Ms} ms`,
    }),
    [`${prefix}_throughput`]: {
      value: result.rps,
      unit: "req/s",
      baseline: { name: "GET /healthz throughput", value: baseline.rps, unit: "req/s" },
      ratio: Math.round((result.rps / baseline.rps) * 1000) / 1000,
      note: `${result.requests} requests over all tenants, ${failures}; ${load}`,
    },
  };
}

/** Workflows holding `count` file_change triggers, each with its own glob and a filter that drops everything. */
function fillers(count: number): string[] {
  const yamls: string[] = [];
  for (let first = 0; first < count; first += TRIGGERS_PER_WORKFLOW) {
    const triggers = Array.from({ length: Math.min(TRIGGERS_PER_WORKFLOW, count - first) }, (_, i) =>
      [
        "  - type: file_change",
        `    pattern: "src/mod-${first + i}/**/*.ts"`,
        `    filter: "path.length > 1000"`,
      ].join("\n"),
    );
    yamls.push(
      [
        `name: "bench:filler-${first}"`,
        `description: "file_change subscriptions that start nothing"`,
        `version: "1.0.0"`,
        "triggers:",
        ...triggers,
        "steps:",
        `  - id: "s"`,
        `    type: "set_state"`,
        "    state_update:",
        `      path: "this.x"`,
        `      value: "{{ 1 }}"`,
        "",
      ].join("\n"),
    );
  }
  return yamls;
}

function roundRobin(requests: (() => Promise<void>)[]): () => Promise<void> {
  let turn = 0;
  return () => requests[turn++ % requests.length]!();
}

let deliveryNumber = 0;
function webhook(tenant: BenchTenant): () => Promise<void> {
  const url = `${tenant.client.baseUrl}/hooks/${tenant.client.tenant}/bench`;
  return async () => {
    const n = deliveryNumber++;
    const body = JSON.stringify({ n, ref: "refs/heads/main" });
    const headers = await signWebhook({
      scheme: "standard",
      secret: SECRET,
      body,
      now: Date.now(),
      id: `msg_scale_${n}`,
    });
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`webhook answered ${res.status} ${text.slice(0, 200)}`);
  };
}

function nextStep(tenant: BenchTenant): () => Promise<void> {
  return async () => {
    const answer = await tenant.client.tool("workflow_get_next_step", { workflow_id: tenant.runId });
    if (answer.status !== "steps")
      throw new Error(`unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
  };
}

/** One posted file_change event: one subscription is a candidate (its filter drops it), the rest are not. */
function fileEvent(tenant: BenchTenant): () => Promise<void> {
  let n = 0;
  return async () => {
    const events = [
      { type: "file_change", source: "bench", payload: { path: `src/mod-0/f${n++}.ts`, change: "modified" } },
    ];
    const res = await fetch(`${tenant.client.baseUrl}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.client.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ events }),
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`POST /events answered ${res.status} ${text.slice(0, 200)}`);
  };
}

function loadNote(): string {
  return `load average ${loadavg()[0]!.toFixed(2)}`;
}

function list(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  return text === "" ? [] : text.split(",").map(Number);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  const { useMeteredQuickJS } = await import("../cli/metered-quickjs.ts");
  await useMeteredQuickJS();
  printSection(await benchScale());
}
