/**
 * @module
 * Runtime benchmark under `wrangler dev`: does one tenant at its rate limit slow another? Tenant B
 * calls `workflow_get_next_step` on one connection, first with nobody else sending (the baseline),
 * then while tenant A hammers the same tool on 8 connections past its `mcp` limit (the refusals
 * are coded tool errors decided in A's TenantDO), and, for scale, while A hammers with no limit in
 * the way, and while the same connections send `GET /healthz` (plain HTTP load, no Durable Object).
 * All are measured in the same run. Locally every Durable Object shares one workerd
 * process on a small machine, so A's load competes with B's for the same CPU: what the rate limit
 * buys is that A's refused calls stop at A's key check instead of reaching a RunDO.
 */
import { createTenantClient, type EdgeflowClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import { healthz, warmThenRun } from "./load.ts";
import { NEXT_STEP_WORKFLOW } from "./mcp.ts";
import { type BenchSection, type Figure, msVersus } from "./report.ts";

const DURATION_MS = 5_000;
const NOISY_CONNECTIONS = 8;
/** Tenant A's `rate_limit_mcp_per_minute` while it is "at its limit": spent within its first second. */
const NOISY_LIMIT = 120;

export async function benchNoisyNeighbour(): Promise<BenchSection> {
  const server = await startWranglerDev({ exposeWorkerUrl: true });
  try {
    const workerUrl = server.workerUrl!;
    const quiet = await createTenantClient(workerUrl, server.adminToken, "bench-quiet");
    const noisy = await createTenantClient(workerUrl, server.adminToken, "bench-noisy");
    const quietRun = await startedRun(quiet);
    const noisyRun = await startedRun(noisy);
    const setLimit = (limit: number) =>
      patchSettings(workerUrl, server.adminToken, noisy.tenant, { rate_limit_mcp_per_minute: limit });

    const quietCall = nextStep(quiet, quietRun);
    const alone = await warmThenRun(1, DURATION_MS, quietCall);

    await setLimit(NOISY_LIMIT);
    const noisyCall = nextStep(noisy, noisyRun);
    const measureQuiet = () => warmThenRun(1, DURATION_MS, quietCall);
    const limited = await withNoise(noisyCall, measureQuiet);

    await setLimit(1_000_000);
    const unlimited = await withNoise(noisyCall, measureQuiet);
    const plainHttp = await withNoise(healthz(workerUrl), measureQuiet);

    const figures: Record<string, Figure> = {
      alone_next_step_p50: { value: alone.p50Ms, unit: "ms", note: noteOf(alone) },
      alone_next_step_p99: { value: alone.p99Ms, unit: "ms" },
      at_limit_neighbour_next_step_p50: msVersus(limited.measured.p50Ms, "no neighbour p50", alone.p50Ms, {
        note: `${noteOf(limited.measured)}; tenant A: ${limited.noise}`,
      }),
      at_limit_neighbour_next_step_p99: msVersus(limited.measured.p99Ms, "no neighbour p99", alone.p99Ms),
      unlimited_neighbour_next_step_p50: msVersus(unlimited.measured.p50Ms, "no neighbour p50", alone.p50Ms, {
        note: `for scale: ${noteOf(unlimited.measured)}; tenant A: ${unlimited.noise}`,
      }),
      unlimited_neighbour_next_step_p99: msVersus(unlimited.measured.p99Ms, "no neighbour p99", alone.p99Ms),
      healthz_neighbour_next_step_p50: msVersus(plainHttp.measured.p50Ms, "no neighbour p50", alone.p50Ms, {
        note: `for scale, the same 8 connections sending GET /healthz (no Durable Object): ${noteOf(plainHttp.measured)}; ${plainHttp.noise}`,
      }),
      healthz_neighbour_next_step_p99: msVersus(plainHttp.measured.p99Ms, "no neighbour p99", alone.p99Ms),
    };
    return {
      name: "noisy neighbour: tenant B's workflow_get_next_step while tenant A hammers at its rate limit",
      figures,
    };
  } finally {
    await server.stop();
  }
}

async function startedRun(client: EdgeflowClient): Promise<string> {
  await client.tool("workflow_publish", { yaml: NEXT_STEP_WORKFLOW });
  return String((await client.tool("workflow_start", { workflow: "bench:next-step" })).workflow_id);
}

function nextStep(client: EdgeflowClient, runId: string): () => Promise<void> {
  return async () => {
    const answer = await client.tool("workflow_get_next_step", { workflow_id: runId });
    if (answer.status !== "steps") throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
  };
}

interface Noisy<T> {
  measured: T;
  /** what tenant A sent and how much of it was refused */
  noise: string;
}

/** Runs `measure` while `call` (tenant A's `workflow_get_next_step`) is sent on `NOISY_CONNECTIONS` connections. */
async function withNoise<T>(call: () => Promise<void>, measure: () => Promise<T>): Promise<Noisy<T>> {
  const counts = { sent: 0, refused: 0, errors: 0 };
  let stop = false;
  const loop = async () => {
    while (!stop) {
      counts.sent += 1;
      try {
        await call();
      } catch (error) {
        if (String((error as Error).message).includes("ratelimit.exceeded")) counts.refused += 1;
        else counts.errors += 1;
      }
    }
  };
  const minuteOf = () => Math.floor(Date.now() / 60_000);
  const firstMinute = minuteOf();
  const loops = Array.from({ length: NOISY_CONNECTIONS }, loop);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const measured = await measure();
  stop = true;
  await Promise.all(loops);
  const minutes = minuteOf() - firstMinute + 1;
  const admitted = counts.sent - counts.refused - counts.errors;
  return {
    measured,
    noise:
      `${counts.sent} calls on ${NOISY_CONNECTIONS} connections, ${admitted} admitted over ${minutes} clock minute(s), ` +
      `${counts.refused} refused (ratelimit.exceeded), ${counts.errors} other errors`,
  };
}

function noteOf(result: { requests: number; errors: number; rps: number }): string {
  return `${result.requests} calls, ${result.errors} errors, ${result.rps} calls/s`;
}

async function patchSettings(
  baseUrl: string,
  adminToken: string,
  tenant: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const res = await fetch(`${baseUrl}/admin/tenants/${tenant}/settings`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(patch),
  });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${await res.text()}`);
}
