/**
 * workflow_migrate, workflow_migrate_runs and workflow_migrate_rollback against real Durable
 * Objects: a dry run writes nothing and predicts the applied run, an applied migration moves the
 * run and the tenant's index, a rollback puts back the stored bytes, and every refusal is coded.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { runObject } from "./support/runs.ts";

const V1 = `name: "mig:flow"
description: "Asks for a number, then reports"
version: "1.0.0"
default_state:
  state:
    count: 1
steps:
  - id: "hello"
    type: "user_message"
    message: "hello"
  - id: "pick"
    type: "mcp_call"
    tool: "pick_number"
    state_update:
      path: "this.count"
      value: "{{ result.n }}"
  - id: "report"
    type: "user_message"
    message: "v1 report {{ this.count }}"
`;

const V2 = V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace("v1 report", "v2 report");

interface RunRow extends Record<string, SqlStorageValue> {
  version: string;
  definition: string;
  state: string;
  status: string;
  seq: number;
  updated_at: number;
}

/** The run row's columns exactly as stored. */
function runRow(tenant: string, runId: string): Promise<RunRow> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    state.storage.sql
      .exec<RunRow>("SELECT version, definition, state, status, seq, updated_at FROM run")
      .one(),
  );
}

function transitionsOf(
  tenant: string,
  runId: string,
): Promise<{ seq: number; event: string; actor: string }[]> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    state.storage.sql
      .exec<{ seq: number; event: string; actor: string }>(
        "SELECT seq, event, actor FROM transitions ORDER BY seq",
      )
      .toArray(),
  );
}

async function start(apiKey: string): Promise<string> {
  const started = await callTool(apiKey, "workflow_start", { workflow: "mig:flow", version: "1.0.0" });
  if (started.isError) throw new Error(started.text);
  return started.structured.workflow_id as string;
}

/** A tenant with both versions published and one run of 1.0.0 that has handed out `pick`. */
async function runAtPick(): Promise<{ id: string; apiKey: string; keyId: string; runId: string }> {
  const tenant = await newTenant("mig");
  await publish(tenant.apiKey, V1);
  await publish(tenant.apiKey, V2);
  const runId = await start(tenant.apiKey);
  const next = await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
  expect((next.structured.steps as { id: string }[]).map((step) => step.id)).toContain("pick");
  return { ...tenant, runId };
}

async function indexedVersion(apiKey: string, runId: string): Promise<string | undefined> {
  const active = (await callTool(apiKey, "workflow_list_active")).structured.workflows as {
    workflow_id: string;
    version: string;
  }[];
  return active.find((run) => run.workflow_id === runId)?.version;
}

describe("workflow_migrate", () => {
  it("a dry run (the default) answers the plan and writes nothing", async () => {
    const { id, apiKey, runId } = await runAtPick();
    const before = await runRow(id, runId);
    const dry = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0" });
    expect(dry.isError).toBe(false);
    expect(dry.structured).toMatchObject({
      workflow_id: runId,
      from_version: "1.0.0",
      to_version: "2.0.0",
      dry_run: true,
      possible: true,
      migrated: false,
      problems: [],
      run: { version: "2.0.0" },
    });
    expect(await runRow(id, runId)).toEqual(before);
    expect(await indexedVersion(apiKey, runId)).toBe("1.0.0");
  });

  it("applied, the run is the dry run's prediction, the index shows the new version and the run goes on", async () => {
    const { id, apiKey, keyId, runId } = await runAtPick();
    const dry = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0" });
    const applied = await callTool(apiKey, "workflow_migrate", {
      workflow_id: runId,
      to_version: "2.0.0",
      dry_run: false,
    });
    expect(applied.structured).toMatchObject({ dry_run: false, possible: true, migrated: true });
    const { updated_at: _dryAt, ...predicted } = dry.structured.run as Record<string, unknown>;
    const { updated_at: _appliedAt, ...actual } = applied.structured.run as Record<string, unknown>;
    expect(actual).toEqual(predicted);
    for (const field of ["positions", "state_changes", "migrations", "warnings"])
      expect(applied.structured[field]).toEqual(dry.structured[field]);

    const row = await runRow(id, runId);
    expect(row.version).toBe("2.0.0");
    expect(JSON.parse(row.definition).version).toBe("2.0.0");
    expect((await transitionsOf(id, runId)).at(-1)).toMatchObject({
      event: "migrate",
      actor: `key:${keyId}`,
    });
    expect(await indexedVersion(apiKey, runId)).toBe("2.0.0");
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured.version).toBe("2.0.0");

    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 7 },
    });
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({
        id: "report",
        definition: expect.objectContaining({ message: "v2 report 7" }),
      }),
    ]);
  });

  it("refuses a move to the version the run is on, a finished run, an unpublished version and an unknown run", async () => {
    const { apiKey, runId } = await runAtPick();
    const same = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "1.0.0" });
    expect(toolErrorOf(same).code).toBe("migrate.same_version");
    const missing = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "9.9.9" });
    expect(toolErrorOf(missing).code).toBe("workflow.not_found");
    const unknown = await callTool(apiKey, "workflow_migrate", {
      workflow_id: "wf_000000000000000000000000",
      to_version: "2.0.0",
    });
    expect(toolErrorOf(unknown).code).toBe("run.not_found");
    await callTool(apiKey, "workflow_cancel", { workflow_id: runId });
    for (const dry_run of [true, false]) {
      const finished = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version: "2.0.0",
        dry_run,
      });
      expect(toolErrorOf(finished).code).toBe("migrate.run_finished");
    }
  });

  it("refuses a yanked version, for one run and in bulk, and leaves the run where it was", async () => {
    const { id, apiKey, runId } = await runAtPick();
    const before = await runRow(id, runId);
    const yanked = await callTool(apiKey, "workflow_yank", { workflow: "mig:flow", version: "2.0.0" });
    expect(yanked.isError, yanked.text).toBe(false);
    for (const dry_run of [true, false]) {
      const one = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version: "2.0.0",
        dry_run,
      });
      expect(toolErrorOf(one).code).toBe("workflow.version_yanked");
      const bulk = await callTool(apiKey, "workflow_migrate_runs", {
        workflow: "mig:flow",
        from_version: "1.0.0",
        to_version: "2.0.0",
        dry_run,
      });
      expect(toolErrorOf(bulk).code).toBe("workflow.version_yanked");
    }
    expect(await runRow(id, runId)).toEqual(before);
  });
});

describe("workflow_migrate_rollback", () => {
  it("puts back the stored bytes of the run row and the index's version", async () => {
    const { id, apiKey, runId } = await runAtPick();
    const before = await runRow(id, runId);
    const log = await transitionsOf(id, runId);
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0", dry_run: false });
    expect((await runRow(id, runId)).version).toBe("2.0.0");

    const back = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(back.structured).toMatchObject({ from_version: "2.0.0", restored_version: "1.0.0" });
    expect(await runRow(id, runId)).toEqual(before);
    expect(await transitionsOf(id, runId)).toEqual(log);
    expect(await indexedVersion(apiKey, runId)).toBe("1.0.0");

    const again = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(toolErrorOf(again).code).toBe("migrate.nothing_to_roll_back");
    // and the run goes on on 1.0.0
    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 3 },
    });
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({ definition: expect.objectContaining({ message: "v1 report 3" }) }),
    ]);
  });

  it("refuses once the run has moved since its migration (migrate.run_moved), and changes nothing", async () => {
    const { id, apiKey, runId } = await runAtPick();
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0", dry_run: false });
    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 2 },
    });
    const moved = await runRow(id, runId);
    const refused = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(toolErrorOf(refused).code).toBe("migrate.run_moved");
    expect(await runRow(id, runId)).toEqual(moved);
    // a planned move back is still possible
    const planned = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "1.0.0" });
    expect(planned.structured).toMatchObject({ possible: true, to_version: "1.0.0" });
  });

  it("undoes stacked migrations in turn", async () => {
    const { id, apiKey, runId } = await runAtPick();
    await publish(apiKey, V1.replace('version: "1.0.0"', 'version: "3.0.0"'));
    const original = await runRow(id, runId);
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0", dry_run: false });
    const onTwo = await runRow(id, runId);
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "3.0.0", dry_run: false });
    await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(await runRow(id, runId)).toEqual(onTwo);
    await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(await runRow(id, runId)).toEqual(original);
  });
});

describe("workflow_migrate_runs", () => {
  it("pages through the active runs of a version: a dry run first, then applied", async () => {
    const { id, apiKey } = await newTenant("bulk");
    await publish(apiKey, V1);
    await publish(apiKey, V2);
    const runs = [await start(apiKey), await start(apiKey), await start(apiKey)];
    const finished = await start(apiKey);
    await callTool(apiKey, "workflow_cancel", { workflow_id: finished });
    const rows = await Promise.all(runs.map((runId) => runRow(id, runId)));

    const args = { workflow: "mig:flow", from_version: "1.0.0", to_version: "2.0.0" };
    const first = await callTool(apiKey, "workflow_migrate_runs", { ...args, limit: 2 });
    expect(first.structured.totals).toEqual({ visited: 2, would_migrate: 2, migrated: 0, refused: 0 });
    const second = await callTool(apiKey, "workflow_migrate_runs", {
      ...args,
      limit: 2,
      cursor: first.structured.next_cursor,
    });
    expect(second.structured.totals).toMatchObject({ visited: 1, would_migrate: 1 });
    expect(second.structured.next_cursor).toBeUndefined();
    const planned = [
      ...(first.structured.runs as { workflow_id: string }[]),
      ...(second.structured.runs as { workflow_id: string }[]),
    ];
    expect(planned.map((run) => run.workflow_id).sort()).toEqual([...runs].sort());
    expect(await Promise.all(runs.map((runId) => runRow(id, runId)))).toEqual(rows);

    const applied = await callTool(apiKey, "workflow_migrate_runs", { ...args, dry_run: false });
    expect(applied.structured.totals).toEqual({ visited: 3, would_migrate: 0, migrated: 3, refused: 0 });
    for (const runId of runs) expect(await indexedVersion(apiKey, runId)).toBe("2.0.0");
    const none = await callTool(apiKey, "workflow_migrate_runs", { ...args, dry_run: false });
    expect(none.structured.totals).toMatchObject({ visited: 0 });
  });

  it("refuses a page larger than the maximum, the same version and an unknown version", async () => {
    const { apiKey } = await newTenant("bulk");
    await publish(apiKey, V1);
    const args = { workflow: "mig:flow", from_version: "1.0.0" };
    const big = await callTool(apiKey, "workflow_migrate_runs", { ...args, to_version: "1.0.0", limit: 101 });
    expect(toolErrorOf(big).code).toBe("input.invalid");
    const same = await callTool(apiKey, "workflow_migrate_runs", { ...args, to_version: "1.0.0" });
    expect(toolErrorOf(same).code).toBe("migrate.same_version");
    const missing = await callTool(apiKey, "workflow_migrate_runs", { ...args, to_version: "2.0.0" });
    expect(toolErrorOf(missing).code).toBe("workflow.not_found");
  });
});
