/**
 * @module
 * Runs that never need an agent (issue 16, "Runs"), under `wrangler dev` against the worker in
 * workerd itself: a workflow of server steps only (set_state, a while_loop, a conditional) started
 * with `workflow_start` at concurrency 1, from the call to its `completed` answer, beside
 * `GET /healthz` and a `workflow_start` whose run stops at its first (client) step, both measured
 * in the same run; the run's own timestamps (`updated_at - created_at`) beside them. Then 10,000
 * such runs started in a burst, twice: 10,000 concurrent `workflow_start` calls (64 in flight),
 * and 10,000 posted events (100 batches of 100, 8 in flight) each starting one, counted complete
 * through the tenant's `edgeflow_runs_finished_total`. Wall time and runs/s are recorded.
 * `BENCH_RUNS_BURST` changes the burst size (for a quick try).
 */
import { loadavg } from "node:os";
import { createTenantClient, type EdgeflowClient, eventually } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { structuredToolCaller } from "../test/support/mcp-call.ts";
import { adminPatch, healthz, type LoadResult, warmThenRun } from "./load.ts";
import { type BenchSection, type Figure, msVersus, percentile, round } from "./report.ts";

const DURATION_MS = 5_000;
/** one turn of the levers' on/off comparison; `LEVER_TURNS` turns each way, alternating */
const TURN_MS = 3_000;
const LEVER_TURNS = Number(process.env.LEVER_TURNS ?? 3);
/** the run-start levers of issue 16 turned off (storage/schema-birth.ts, tenant/start-definitions.ts) */
const LEVERS_OFF = { EDGEFLOW_RUN_SCHEMA_AT_BIRTH: "off", EDGEFLOW_RUN_START_CACHE: "off" };
const BURST = Number(process.env.BENCH_RUNS_BURST ?? 10_000);
const BURST_CONNECTIONS = 64;
const EVENT_BATCH = 100;
/** How long one request of this bench may take before it counts as failed (never answered). */
const REQUEST_TIMEOUT_MS = 60_000;
/** How long the event burst waits with no run ending before it counts the rest as never ended. */
const STALL_MS = 60_000;
const TENANT = "bench-runs";

/** Server steps only: the run completes inside the transition that starts it. */
export const SERVER_ONLY_WORKFLOW = `name: "bench:server-only"
description: "server steps only (set_state, while_loop, conditional): never needs an agent"
version: "1.0.0"
inputs:
  n:
    type: "number"
    description: "a number"
default_state:
  state:
    total: 0
    i: 0
triggers:
  - type: event
    event_type: "bench.tick"
    inputs_mapping:
      n: "payload.n"
steps:
  - id: "init"
    type: "set_state"
    state_update:
      path: "this.total"
      value: "{{ inputs.n }}"
  - id: "count"
    type: "while_loop"
    condition: "{{ this.i < 3 }}"
    max_iterations: 5
    body:
      - id: "bump"
        type: "set_state"
        state_update:
          path: "this.i"
          value: "{{ this.i + 1 }}"
  - id: "branch"
    type: "conditional"
    condition: "{{ this.i === 3 }}"
    then_steps:
      - id: "done"
        type: "set_state"
        state_update:
          path: "this.ok"
          value: "{{ true }}"
`;

/** One set_state with a constant: completes in its start with no expression, so no sandbox. */
const CONSTANT_WORKFLOW = `name: "bench:constant"
description: "one set_state of a constant: no expression, no sandbox"
version: "1.0.0"
steps:
  - id: "set"
    type: "set_state"
    state_update:
      path: "this.x"
      value: 1
`;

/** The same start whose run stops at its first step, a client step: the start's own cost. */
const CLIENT_FIRST_WORKFLOW = `name: "bench:client-first"
description: "stops at its first step, a client step"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

/** Settings that keep quotas and rate limits out of a benchmark's way (never a bench figure). */
export const UNLIMITED_SETTINGS = {
  max_event_runs_per_minute: 1_000_000,
  // a burst has thousands of starts in flight: at the default 1,000 some are refused
  // (`quota.exceeded`, logged `start_failed`), which the burst would count as never ending
  max_active_runs: 100_000,
  max_runs_per_day: 10_000_000,
  max_stored_runs: 1_000_000,
  rate_limit_mcp_per_minute: 1_000_000,
  rate_limit_mcp_per_key_per_minute: 1_000_000,
  rate_limit_events_per_minute: 1_000_000,
  rate_limit_events_per_key_per_minute: 1_000_000,
  rate_limit_webhooks_per_minute: 1_000_000,
  // the bursts poll GET /metrics (an admin-surface request) until every run is counted
  rate_limit_admin_per_minute: 1_000_000,
};

interface StartedRun {
  workflow_id?: string;
  status?: string;
}

/** A `wrangler dev` with the tenant and its three workflows published. */
async function preparedServer(vars: Record<string, string> = {}) {
  const server = await startWranglerDev({ exposeWorkerUrl: true, vars });
  try {
    const baseUrl = server.workerUrl!;
    const client = await createTenantClient(baseUrl, server.adminToken, TENANT);
    await adminPatch(baseUrl, server.adminToken, `/admin/tenants/${TENANT}/settings`, UNLIMITED_SETTINGS);
    await client.tool("workflow_publish", { yaml: SERVER_ONLY_WORKFLOW });
    await client.tool("workflow_publish", { yaml: CLIENT_FIRST_WORKFLOW });
    await client.tool("workflow_publish", { yaml: CONSTANT_WORKFLOW });
    return { server, baseUrl, client };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * The server-only run at c1 with the run-start levers on and off (`LEVERS_OFF`, a second
 * `wrangler dev`), in alternating turns so that the machine's noise falls on both sides.
 */
async function leverTurns(on: EdgeflowClient): Promise<Record<string, Figure>> {
  const off = await preparedServer(LEVERS_OFF);
  try {
    const onMs: number[] = [];
    const offMs: number[] = [];
    const onRequest = startRequest(on, "bench:server-only", "completed");
    const offRequest = startRequest(off.client, "bench:server-only", "completed");
    for (let turn = 0; turn < LEVER_TURNS; turn += 1) {
      onMs.push((await warmThenRun(1, TURN_MS, onRequest)).p50Ms);
      offMs.push((await warmThenRun(1, TURN_MS, offRequest)).p50Ms);
    }
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const switches = Object.entries(LEVERS_OFF)
      .map(([name, value]) => `${name}=${value}`)
      .join(", ");
    return {
      c1_server_run_levers_on_vs_off_p50: msVersus(
        median(onMs),
        "the same with the levers off, p50",
        median(offMs),
        {
          note:
            `server-only run start → completed at c1, the run-start levers on (a new RunDO born with its schema ` +
            `in one step; the workflow version remembered by the TenantDO) against a second wrangler dev with ` +
            `${switches}; ${LEVER_TURNS} turns of ${TURN_MS / 1000} s each way, alternating, median of the turns' ` +
            `p50 (on: ${onMs.map((ms) => round(ms, 1)).join(", ")} ms; off: ${offMs.map((ms) => round(ms, 1)).join(", ")} ms); ` +
            `load average ${loadavg()[0]!.toFixed(2)}`,
        },
      ),
    };
  } finally {
    await off.server.stop();
  }
}

export async function benchRuns(): Promise<BenchSection> {
  const { server, baseUrl, client } = await preparedServer();
  try {
    const figures: Record<string, Figure> = {};
    const load = `load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`;

    const ids: string[] = [];
    const baseline = await warmThenRun(1, DURATION_MS, healthz(baseUrl));
    const run = await warmThenRun(
      1,
      DURATION_MS,
      startRequest(client, "bench:server-only", "completed", ids),
    );
    const clientFirst = await warmThenRun(
      1,
      DURATION_MS,
      startRequest(client, "bench:client-first", "running"),
    );
    const constant = await warmThenRun(1, DURATION_MS, startRequest(client, "bench:constant", "completed"));
    Object.assign(figures, runFigures(run, baseline, clientFirst, await ownDurations(client, ids), load));
    figures.c1_constant_run_completed_p50 = msVersus(constant.p50Ms, "GET /healthz p50", baseline.p50Ms, {
      note:
        "a run of one set_state with a constant value: completes in its start with no expression, so " +
        `the run builds no QuickJS sandbox; ${constant.requests} runs, ${constant.errors} errors`,
    });
    figures.c1_client_first_start_p50 = msVersus(clientFirst.p50Ms, "GET /healthz p50", baseline.p50Ms, {
      note:
        "workflow_start of a run whose first step is a client step (it stops there): the start's own cost, " +
        `the RunDO created and its first checkpoint written; ${clientFirst.requests} runs, ${clientFirst.errors} errors`,
    });

    if (LEVER_TURNS > 0) Object.assign(figures, await leverTurns(client));

    const burstCalls = await burstOfStarts(client);
    figures.burst_workflow_start_runs_per_s = burstFigure(burstCalls, "workflow_start calls");
    const burstEvents = await burstOfEvents(client);
    figures.burst_event_runs_per_s = burstFigure(burstEvents, "posted events");
    return { name: "server-only runs in workerd (start → completed, bursts)", figures };
  } finally {
    await server.stop();
  }
}

/** One `workflow_start`; its answer must have the run at `status`; pushes the run's id to `ids`. */
export function startRequest(
  client: EdgeflowClient,
  workflow: string,
  status: string,
  ids?: string[],
): () => Promise<void> {
  let n = 0;
  const inputs = () => (workflow === "bench:server-only" ? { n: n++ } : {});
  // a request never answered is an error of the burst, not a bench that waits forever
  const tool = structuredToolCaller(client.baseUrl, client.apiKey, { timeoutMs: REQUEST_TIMEOUT_MS });
  return async () => {
    const answer = (await tool("workflow_start", { workflow, inputs: inputs() })) as StartedRun;
    if (answer.status !== status)
      throw new Error(`expected ${status}, got ${JSON.stringify(answer).slice(0, 300)}`);
    ids?.push(String(answer.workflow_id));
  };
}

/** The runs' own start → completed times (`completed_at - created_at`, 1 ms resolution), sorted. */
async function ownDurations(client: EdgeflowClient, ids: string[]): Promise<number[]> {
  const durations: number[] = [];
  for (const id of ids.slice(-200)) {
    const run = (await client.tool("workflow_get_status", { workflow_id: id })) as {
      created_at?: string;
      completed_at?: string;
    };
    if (run.created_at === undefined || run.completed_at === undefined)
      throw new Error(`no timestamps in ${JSON.stringify(run).slice(0, 300)}`);
    durations.push(Date.parse(run.completed_at) - Date.parse(run.created_at));
  }
  return durations.sort((a, b) => a - b);
}

function runFigures(
  run: LoadResult,
  baseline: LoadResult,
  clientFirst: LoadResult,
  ownMs: number[],
  load: string,
): Record<string, Figure> {
  return {
    c1_server_run_completed_p50: msVersus(run.p50Ms, "GET /healthz p50", baseline.p50Ms, {
      target: "<= 3x GET /healthz p50",
      note:
        `workflow_start over MCP to its answer with the run completed (5 server steps, 3 loop turns): ` +
        `${run.requests} runs, ${run.errors} errors${run.firstError ? ` (${run.firstError})` : ""}; ${load}`,
    }),
    c1_server_run_completed_p99: msVersus(run.p99Ms, "GET /healthz p99", baseline.p99Ms),
    c1_server_run_versus_client_first_start_p50: msVersus(
      run.p50Ms,
      "workflow_start stopping at a client step p50",
      clientFirst.p50Ms,
      { note: "what the server steps add to a start: the same call, the same two objects" },
    ),
    c1_server_run_own_p50: {
      value: percentile(ownMs, 50),
      unit: "ms",
      note: `the run's own timestamps (completed_at - created_at, 1 ms resolution) of the last ${ownMs.length} runs above; p99 ${percentile(ownMs, 99)} ms`,
    },
    c1_server_run_throughput: { value: run.rps, unit: "runs/s", note: "one at a time" },
  };
}

interface Burst {
  runs: number;
  wallMs: number;
  errors: number;
  firstError?: string;
  how: string;
}

async function burstOfStarts(client: EdgeflowClient): Promise<Burst> {
  const before = await finishedRuns(client);
  const started = performance.now();
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const request = startRequest(client, "bench:server-only", "completed");
  const loop = async () => {
    while (next < BURST) {
      next += 1;
      try {
        await request();
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: BURST_CONNECTIONS }, loop));
  const wallMs = performance.now() - started;
  // every answered run is also counted completed in the tenant's run index (its metrics)
  const indexed = (await finishedRuns(client)) - before;
  if (indexed !== BURST - errors) {
    errors += 1;
    firstError ??= `${BURST - errors + 1} runs answered completed, ${indexed} counted completed in the index`;
  }
  return {
    runs: indexed,
    wallMs,
    errors,
    ...(firstError ? { firstError } : {}),
    how: `${BURST} workflow_start calls, ${BURST_CONNECTIONS} in flight, each answered with its run completed`,
  };
}

async function burstOfEvents(client: EdgeflowClient): Promise<Burst> {
  const before = await finishedRuns(client);
  const endedBefore = await finishedRuns(client, "any");
  const started = performance.now();
  const batches = Math.ceil(BURST / EVENT_BATCH);
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const loop = async () => {
    while (next < batches) {
      const batch = next++;
      const events = Array.from({ length: EVENT_BATCH }, (_, i) => ({
        type: "bench.tick",
        source: "bench",
        payload: { n: batch * EVENT_BATCH + i },
      }));
      try {
        const res = await fetch(`${client.baseUrl}/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.status !== 202) throw new Error(`POST /events answered ${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
  const accepted = performance.now() - started;
  const expected = (batches - errors) * EVENT_BATCH;
  let unansweredScrapes = 0;
  let [lastEnded, lastChangeAt] = [endedBefore, Date.now()];
  // waits for every run to end, completed or not, so that a failed run is reported, not waited for
  await eventually(
    async () => {
      // a scrape that was never answered is asked again, and counted
      const ended = await finishedRuns(client, "any").catch(() => {
        unansweredScrapes += 1;
        return endedBefore;
      });
      if (ended - endedBefore >= expected) return true;
      // runs that never start (a start refused) never end: stop once nothing has ended for a minute
      if (ended !== lastEnded) [lastEnded, lastChangeAt] = [ended, Date.now()];
      else if (Date.now() - lastChangeAt > STALL_MS) return true;
      await new Promise((resolve) => setTimeout(resolve, 250)); // a few polls a second at most
      return undefined;
    },
    `${expected} event-started runs to finish`,
    900_000,
  );
  const wallMs = performance.now() - started;
  const completed = (await finishedRuns(client)) - before;
  if (completed < expected) {
    errors += 1;
    firstError ??= `${expected - completed} of the ${expected} event-started runs did not complete (failed, or never started)`;
  }
  if (unansweredScrapes > 0) {
    errors += 1;
    firstError ??= `${unansweredScrapes} GET /metrics went unanswered for ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  return {
    runs: completed,
    wallMs,
    errors,
    ...(firstError ? { firstError } : {}),
    how:
      `${batches} POST /events of ${EVENT_BATCH} events, 8 in flight, each event starting one run ` +
      `(all accepted in ${round(accepted / 1000, 2)} s), counted complete in edgeflow_runs_finished_total`,
  };
}

function burstFigure(burst: Burst, what: string): Figure {
  return {
    value: round((burst.runs * 1000) / burst.wallMs, 1),
    unit: "runs/s",
    note:
      `${burst.how}: ${burst.runs} runs completed in ${round(burst.wallMs / 1000, 2)} s wall time, ` +
      `${burst.errors} failed ${what}${burst.firstError ? ` (${burst.firstError})` : ""}; load average ` +
      `${loadavg()[0]!.toFixed(2)}`,
  };
}

/** The tenant's finished runs of `bench:server-only` (completed, or of any outcome), from `GET /metrics`. */
async function finishedRuns(
  client: EdgeflowClient,
  outcome: "completed" | "any" = "completed",
): Promise<number> {
  const res = await fetch(`${client.baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${client.apiKey}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics ${res.status} ${text.slice(0, 200)}`);
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("edgeflow_runs_finished_total{")) continue;
    if (!line.includes('workflow="bench:server-only"')) continue;
    if (outcome === "completed" && !line.includes('outcome="completed"')) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  const { useMeteredQuickJS } = await import("../cli/metered-quickjs.ts");
  await useMeteredQuickJS();
  printSection(await benchRuns());
}
