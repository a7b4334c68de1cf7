/**
 * Rollback beyond the basics: a run with a finished dependency graph gets its graph rows back
 * exactly, only the newest 10 migrations are kept, and every applied move or rollback is in the
 * tenant's audit log with the caller as actor (a dry run is not).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { runObject } from "./support/runs.ts";

const GRAPH_V1 = `name: "rb:graph"
description: "A server-side graph, then a client step"
version: "1.0.0"
default_state:
  state:
    done: []
dependencies:
  note:
    run:
      - id: "note_write"
        type: "set_state"
        state_update: { path: "this.done", operation: "append", value: "{{ task_id }}" }
steps:
  - id: "flow"
    type: "dependency_flow"
  - id: "ask"
    type: "mcp_call"
    tool: "pick_number"
`;
const GRAPH_V2 = GRAPH_V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace(
  'tool: "pick_number"',
  'tool: "pick_number_v2"',
);

/** Every stored row of the run that a migration or rollback touches, exactly as stored. */
function storedRows(tenant: string, runId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) => {
    const sql = state.storage.sql;
    return {
      run: sql.exec("SELECT * FROM run").one(),
      transitions: sql.exec("SELECT * FROM transitions ORDER BY seq").toArray(),
      graph: sql.exec("SELECT * FROM graph_tasks ORDER BY idx").toArray(),
    };
  });
}

function keptRows(tenant: string, runId: string): Promise<{ versions: number; tasks: number }> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) => ({
    versions: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM run_versions").one().n,
    tasks: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM run_version_tasks").one().n,
  }));
}

describe("workflow_migrate_rollback", () => {
  it("moves a run past a finished dependency graph, keeping its graph rows; a step since refuses rollback", async () => {
    const { id, apiKey } = await newTenant("rb");
    await publish(apiKey, GRAPH_V1);
    const runId = (await callTool(apiKey, "workflow_start", { workflow: "rb:graph" })).structured
      .workflow_id as string;
    await publish(apiKey, GRAPH_V2);
    const before = await storedRows(id, runId);
    expect((before.graph as unknown[]).length).toBe(1);

    const moved = await callTool(apiKey, "workflow_migrate", {
      workflow_id: runId,
      to_version: "2.0.0",
      dry_run: false,
    });
    expect(moved.structured.migrated, moved.text).toBe(true);
    expect(await keptRows(id, runId)).toEqual({ versions: 1, tasks: 1 });
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({ id: "ask", definition: expect.objectContaining({ tool: "pick_number_v2" }) }),
    ]);
    // handing out a step is a transition: the run has moved, so rollback is refused
    expect(
      toolErrorOf(await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId })).code,
    ).toBe("migrate.run_moved");
  });

  it("restores the graph rows when the run has not moved since", async () => {
    const { id, apiKey } = await newTenant("rb");
    await publish(apiKey, GRAPH_V1);
    const runId = (await callTool(apiKey, "workflow_start", { workflow: "rb:graph" })).structured
      .workflow_id as string;
    await publish(apiKey, GRAPH_V2);
    const before = await storedRows(id, runId);
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0", dry_run: false });
    const back = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(back.structured.restored_version, back.text).toBe("1.0.0");
    expect(await storedRows(id, runId)).toEqual(before);
    expect(await keptRows(id, runId)).toEqual({ versions: 1, tasks: 0 });
  });

  it("keeps the newest 10 migrations: the 11th rollback has nothing left", async () => {
    const { id, apiKey } = await newTenant("rb");
    await publish(apiKey, GRAPH_V1);
    const runId = (await callTool(apiKey, "workflow_start", { workflow: "rb:graph" })).structured
      .workflow_id as string;
    await publish(apiKey, GRAPH_V2);
    for (let move = 0; move < 11; move += 1) {
      const to_version = move % 2 === 0 ? "2.0.0" : "1.0.0";
      const moved = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version,
        dry_run: false,
      });
      expect(moved.isError, moved.text).toBe(false);
    }
    expect((await keptRows(id, runId)).versions).toBe(10);
    for (let back = 0; back < 10; back += 1) {
      const rolled = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
      expect(rolled.isError, rolled.text).toBe(false);
    }
    const last = await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    expect(toolErrorOf(last).code).toBe("migrate.nothing_to_roll_back");
    expect((await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured.version).toBe(
      "2.0.0",
    );
  });

  it("records applied moves and rollbacks in the audit log, not dry runs", async () => {
    const { apiKey, keyId } = await newTenant("rb");
    await publish(apiKey, GRAPH_V1);
    const runId = (await callTool(apiKey, "workflow_start", { workflow: "rb:graph" })).structured
      .workflow_id as string;
    await publish(apiKey, GRAPH_V2);
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0" });
    await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0", dry_run: false });
    await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    await callTool(apiKey, "workflow_migrate_rollback", { workflow_id: runId });
    const audit = await callTool(apiKey, "workflow_audit", { order: "oldest_first" });
    const entries = (audit.structured.entries as { action: string; actor: string; object: { id: string } }[])
      .filter((entry) => entry.object.id === runId)
      .map((entry) => [entry.action, entry.actor]);
    expect(entries).toEqual([
      ["run.migrate", `key:${keyId}`],
      ["run.migrate_rollback", `key:${keyId}`],
      ["run.migrate_rollback", `key:${keyId}`],
      ["run.migrate_rollback_failed", `key:${keyId}`],
    ]);
  });
});
