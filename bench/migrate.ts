/**
 * @module
 * Runtime benchmark under `wrangler dev`: 1,000 live runs of one version moved to the next with
 * `workflow_migrate_runs`, a dry run first and then applied, page by page (100 runs per call, the
 * maximum). Time per run is the wall time of all the pages over the runs; beside it, in the same
 * run, a `workflow_get_status` of every one of those runs at the TenantDO's own parallelism (8),
 * also over the runs: the cost of reaching each RunDO once and reading its checkpoint.
 */
import { createTenantClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import type { StructuredToolCaller } from "../test/support/mcp-call.ts";
import { type BenchSection, type Figure, round, withBaseline } from "./report.ts";

const RUNS = 1_000;
/** what the TenantDO asks at once during a bulk migration (durable-objects/tenant/run-migrations.ts) */
const PARALLEL = 8;

const V1 = `name: "bench:migrate"
description: "waits for one client step with a little state"
version: "1.0.0"
default_state:
  state:
    counter: 3
    note: "kept"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
  - id: "report"
    type: "user_message"
    message: "counter {{ this.counter }}"
`;

const V2 = V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace(
  'message: "counter',
  'message: "v2 counter',
);

export async function benchMigrate(): Promise<BenchSection> {
  const server = await startWranglerDev({ exposeWorkerUrl: true });
  try {
    const workerUrl = server.workerUrl!;
    const client = await createTenantClient(workerUrl, server.adminToken, "bench-migrate");
    const settings = await fetch(`${workerUrl}/admin/tenants/bench-migrate/settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ max_active_runs: 2 * RUNS }),
    });
    if (settings.status !== 200) throw new Error(`settings: ${settings.status} ${await settings.text()}`);
    const mcp = client.tool;
    await mcp("workflow_publish", { yaml: V1 });
    const runs = await inParallel(RUNS, 16, async () => {
      const started = await mcp("workflow_start", { workflow: "bench:migrate" });
      return String(started.workflow_id);
    });
    // the release: the runs in flight stay on 1.0.0 until they are migrated
    await mcp("workflow_publish", { yaml: V2 });

    const statusStarted = performance.now();
    await inParallel(RUNS, PARALLEL, async (index) => {
      await mcp("workflow_get_status", { workflow_id: runs[index]! });
    });
    const statusMs = performance.now() - statusStarted;

    const dry = await bulk(mcp, true);
    if (dry.counted !== RUNS) throw new Error(`the dry run planned ${dry.counted} of ${RUNS} runs`);
    const applied = await bulk(mcp, false);
    if (applied.counted !== RUNS) throw new Error(`applied ${applied.counted} of ${RUNS} runs`);
    const moved = await mcp("workflow_get_status", { workflow_id: runs[0]! });
    if (moved.version !== "2.0.0") throw new Error(`a migrated run is on ${String(moved.version)}`);

    const baseline = {
      name: `workflow_get_status of each run, ${PARALLEL} at a time`,
      value: round(statusMs / RUNS, 3),
      unit: "ms/run",
    };
    const figures: Record<string, Figure> = {
      dry_run_per_run: {
        ...withBaseline(round(dry.ms / RUNS, 3), "ms/run", baseline),
        note: `${RUNS} runs in ${dry.calls} calls of workflow_migrate_runs (dry_run: true), ${round(dry.ms / 1000, 2)} s in all`,
      },
      apply_per_run: {
        ...withBaseline(round(applied.ms / RUNS, 3), "ms/run", baseline),
        note: `${RUNS} runs in ${applied.calls} calls (dry_run: false): each an audit entry, a plan and one storage transaction; ${round(applied.ms / 1000, 2)} s in all`,
      },
    };
    return { name: "migrating 1,000 live runs (workflow_migrate_runs, dry run then apply)", figures };
  } finally {
    await server.stop();
  }
}

/** Every page of the bulk migration of 1.0.0 → 2.0.0: its wall time, calls, and runs counted. */
async function bulk(
  mcp: StructuredToolCaller,
  dryRun: boolean,
): Promise<{ ms: number; calls: number; counted: number }> {
  const started = performance.now();
  let cursor: string | undefined;
  let calls = 0;
  let counted = 0;
  do {
    const answer = await mcp("workflow_migrate_runs", {
      workflow: "bench:migrate",
      from_version: "1.0.0",
      to_version: "2.0.0",
      dry_run: dryRun,
      ...(cursor === undefined ? {} : { cursor }),
    });
    calls += 1;
    const totals = answer.totals as { would_migrate: number; migrated: number; refused: number };
    if (totals.refused > 0) throw new Error(`refused: ${JSON.stringify(answer.runs)}`);
    counted += dryRun ? totals.would_migrate : totals.migrated;
    cursor = answer.next_cursor as string | undefined;
  } while (cursor !== undefined);
  return { ms: performance.now() - started, calls, counted };
}

/** `count` calls of `work`, at most `parallel` at once, answers in index order. */
async function inParallel<T>(
  count: number,
  parallel: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const answers: T[] = new Array(count);
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const index = next++;
      answers[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  return answers;
}
