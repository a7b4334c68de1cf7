/**
 * @module
 * Issue 16's intake levers, each measured on and off in the same run: four `wrangler dev`s side
 * by side (every lever on; the tenant-registry cache off, `EDGEFLOW_INTAKE_REGISTRY_CACHE=off`;
 * the deferral of run starts off, `EDGEFLOW_INTAKE_DEFER_STARTS=off`; the TenantDO's memory of its
 * tenant row and metric series off, `EDGEFLOW_INTAKE_MEMOS=off`), loaded in turn, twice
 * (on, off, on, off), so that the machine's noise falls on both sides. Each turn is 5 s of fresh
 * signed single deliveries at concurrency 32 (`GET /healthz` of the same server measured between
 * turns as the ceiling), either dropped by their filter (no run) or each starting a run. With
 * runs, the figure is the ack rate; the runs' own completion is checked after each turn (every
 * run of the turn's newest 200 events started) and the drain time is recorded.
 */
import type { createTenantClient } from "../test/e2e/edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { type Delivery, deliveries, eventToStart, intakeTenant } from "./events-runtime.ts";
import { healthz, type LoadResult, runLoad } from "./load.ts";
import { type BenchSection, type Figure, round, withBaseline } from "./report.ts";

const TENANT = "bench-levers";
const TURN_MS = 5_000;
const ROUNDS = Number(process.env.LEVER_ROUNDS ?? 2);

interface Target {
  label: string;
  server: DevServer;
  baseUrl: string;
  client: Awaited<ReturnType<typeof createTenantClient>>;
  sequence: number;
}

async function target(label: string, vars: Record<string, string>): Promise<Target> {
  const server = await startWranglerDev({ exposeWorkerUrl: true, vars });
  try {
    return await prepared(label, server);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function prepared(label: string, server: DevServer): Promise<Target> {
  const baseUrl = server.workerUrl!;
  const client = await intakeTenant(baseUrl, server.adminToken, TENANT);
  return { label, server, baseUrl, client, sequence: 0 };
}

async function turn(t: Target, endpoint: string, runs: number): Promise<LoadResult> {
  const pool: Delivery[] = await deliveries(12_000, t.sequence);
  t.sequence += pool.length;
  const url = `${t.baseUrl}/hooks/${TENANT}${endpoint}`;
  return runLoad({
    connections: 32,
    durationMs: TURN_MS,
    request: async () => {
      const delivery = pool.pop();
      if (delivery === undefined) throw new Error("delivery pool exhausted");
      const res = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`webhook answered ${res.status} ${text.slice(0, 200)}`);
      if ((JSON.parse(text) as { runs: string[] }).runs.length !== runs) throw new Error(`runs: ${text}`);
    },
  });
}

interface Totals {
  requests: number;
  errors: number;
  seconds: number;
  p99s: number[];
  drainMs: number[];
  firstError?: string;
}

const empty = (): Totals => ({ requests: 0, errors: 0, seconds: 0, p99s: [], drainMs: [] });

function add(totals: Totals, result: LoadResult): void {
  totals.requests += result.requests;
  totals.errors += result.errors;
  totals.seconds += result.requests / result.rps;
  totals.p99s.push(result.p99Ms);
  if (result.firstError !== undefined) totals.firstError ??= result.firstError;
}

const rate = (totals: Totals) => round(totals.requests / totals.seconds, 1);
/** Runs started per second: every accepted delivery starts one, the last ones by the end of the drain. */
const startRate = (totals: Totals) =>
  round(totals.requests / (totals.seconds + totals.drainMs.reduce((a, b) => a + b, 0) / 1000), 1);
const mean = (values: number[]) => round(values.reduce((a, b) => a + b, 0) / values.length, 1);

export async function benchIntakeLevers(): Promise<BenchSection> {
  const loadBefore = (await import("node:os")).loadavg()[0]!;
  const targets: Target[] = [];
  try {
    targets.push(await target("on", {}));
    targets.push(await target("registry_cache_off", { EDGEFLOW_INTAKE_REGISTRY_CACHE: "off" }));
    targets.push(await target("defer_off", { EDGEFLOW_INTAKE_DEFER_STARTS: "off" }));
    targets.push(await target("memos_off", { EDGEFLOW_INTAKE_MEMOS: "off" }));
    const noRun = new Map(targets.map((t) => [t.label, empty()]));
    const withRuns = new Map(targets.map((t) => [t.label, empty()]));
    const health = new Map(targets.map((t) => [t.label, empty()]));
    for (const t of targets) await turn(t, "/bench-filtered", 0); // warm-up
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const t of [targets[0]!, targets[1]!, targets[3]!]) {
        add(
          health.get(t.label)!,
          await runLoad({ connections: 32, durationMs: 2_000, request: healthz(t.baseUrl) }),
        );
        add(noRun.get(t.label)!, await turn(t, "/bench-filtered", 0));
      }
      for (const t of [targets[0]!, targets[2]!]) {
        add(withRuns.get(t.label)!, await turn(t, "/bench", 1));
        const drainStart = performance.now();
        try {
          await eventToStart(t.client);
          withRuns.get(t.label)!.drainMs.push(performance.now() - drainStart);
        } catch (error) {
          withRuns.get(t.label)!.firstError ??= `runs not all seen started: ${(error as Error).message}`;
          withRuns.get(t.label)!.drainMs.push(Number.NaN);
        }
      }
    }
    const loadAfter = (await import("node:os")).loadavg()[0]!;
    const on = noRun.get("on")!;
    const cacheOff = noRun.get("registry_cache_off")!;
    const memosOff = noRun.get("memos_off")!;
    const runsOn = withRuns.get("on")!;
    const deferOff = withRuns.get("defer_off")!;
    const ceiling = health.get("on")!;
    const note = (t: Totals, what: string) =>
      `${what}: ${t.requests} deliveries in ${ROUNDS} turns of 5 s at concurrency 32, ${t.errors} errors${t.firstError === undefined ? "" : ` (${t.firstError})`}, ` +
      `ack p99 per turn ${t.p99s.join(", ")} ms`;
    const figures: Record<string, Figure> = {
      levers_healthz_ceiling: {
        value: rate(ceiling),
        unit: "req/s",
        note: `GET /healthz at concurrency 32 on the same server, between turns; load average ${round(loadBefore, 2)} before, ${round(loadAfter, 2)} after`,
      },
      levers_no_run_all_on: {
        ...withBaseline(
          rate(on),
          "events/s",
          { name: "GET /healthz, same server", value: rate(ceiling), unit: "req/s" },
          2,
        ),
        note: note(on, "every lever on, deliveries their filter drops"),
      },
      levers_no_run_registry_cache: {
        ...withBaseline(
          rate(on),
          "events/s",
          { name: "registry cache off, same run", value: rate(cacheOff), unit: "events/s" },
          2,
        ),
        note: note(cacheOff, "off"),
      },
      levers_no_run_intake_memos: {
        ...withBaseline(
          rate(on),
          "events/s",
          {
            name: "tenant-row and metric-series memos off, same run",
            value: rate(memosOff),
            unit: "events/s",
          },
          2,
        ),
        note: `${note(memosOff, "off")}; on, 3 fewer SQLite statements per delivery (test/worker/intake-statements.test.ts)`,
      },
      levers_with_runs_all_on: {
        ...withBaseline(
          rate(runsOn),
          "events/s",
          { name: "GET /healthz, same server", value: rate(ceiling), unit: "req/s" },
          2,
        ),
        note: `${note(runsOn, "every lever on, each delivery starting a run")}; newest 200 runs started ${runsOn.drainMs.map((ms) => round(ms / 1000, 1)).join(", ")} s after each turn`,
      },
      levers_with_runs_deferred_starts: {
        ...withBaseline(
          rate(runsOn),
          "events/s",
          { name: "deferral off, same run", value: rate(deferOff), unit: "events/s" },
          2,
        ),
        note: `${note(deferOff, "off")}; newest 200 runs started ${deferOff.drainMs.map((ms) => round(ms / 1000, 1)).join(", ")} s after each turn`,
      },
      levers_with_runs_start_rate: {
        ...withBaseline(
          startRate(runsOn),
          "runs/s",
          { name: "deferral off, same run", value: startRate(deferOff), unit: "runs/s" },
          2,
        ),
        target: ">= 300 runs/s per tenant (issue 16)",
        note:
          "runs started per second over each turn and its drain: the turn's accepted deliveries (one run each) " +
          "over the turn's 5 s plus the time until the newest 200 events' runs had all started",
      },
      levers_with_runs_ack_p99: {
        value: mean(runsOn.p99s),
        unit: "ms",
        baseline: { name: "deferral off, same run", value: mean(deferOff.p99s), unit: "ms" },
        ratio: round(mean(runsOn.p99s) / mean(deferOff.p99s), 2),
        note: "mean of the per-turn p99s",
      },
    };
    return { name: "intake levers on and off (signed webhooks at concurrency 32, same run)", figures };
  } finally {
    for (const t of targets) await t.server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchIntakeLevers(), null, 1));
}
