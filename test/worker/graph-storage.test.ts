/**
 * The graph's storage: migration 2 adds `graph_tasks`; a run's task records are rows beside its
 * checkpoint, rewritten whole when a new graph starts, and a run without a graph has none.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RUN_MIGRATIONS } from "../../durable-objects/storage/run-schema.ts";
import { REVIEWS } from "./graph-support.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { publishAndStart, runObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

async function tableInfo(tenant: string, runId: string) {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) => ({
    columns: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('graph_tasks')")
      .toArray()
      .map((row) => row.name),
    rows: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM graph_tasks").one().n,
    migrations: state.storage.sql
      .exec<{ version: number; name: string }>("SELECT version, name FROM _migrations ORDER BY version")
      .toArray(),
  }));
}

describe("graph storage", () => {
  it("migration 2 adds graph_tasks: one row per task, none for a run without a graph", async () => {
    expect(RUN_MIGRATIONS[1]).toMatchObject({ version: 2, name: "dependency graph task records" });
    const { id, apiKey } = await newTenant();
    const withGraph = await publishAndStart(apiKey, REVIEWS);
    const info = await tableInfo(id, withGraph);
    expect(info.columns).toEqual(["idx", "id", "status", "record"]);
    expect(info.rows).toBe(3);
    expect(info.migrations.slice(0, 2)).toEqual([
      { version: 1, name: "run checkpoint and transition log" },
      { version: 2, name: "dependency graph task records" },
    ]);
    const withoutGraph = await publishAndStart(apiKey, GREET, { name: "x" });
    expect((await tableInfo(id, withoutGraph)).rows).toBe(0);
  });
});

const FAN_OUT = `name: "graph:lint-each"
description: "one agent step per file"
version: "1.0.0"
dependencies:
  lint:
    for_each: ["a.ts", "b.ts", "c.ts"]
    run:
      - id: "lint_file"
        type: "mcp_call"
        tool: "lint"
        parameters: { file: "{{ item }}" }
steps:
  - id: "run_graph"
    type: "dependency_flow"
    parallel_limit: 3
`;

describe("for_each branches in storage", () => {
  it("store their task's steps once, and get them back after an eviction", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, FAN_OUT);
    const records = await runInDurableObject(runObject(id, runId), (_instance, state) =>
      state.storage.sql
        .exec<{ id: string; record: string }>("SELECT id, record FROM graph_tasks ORDER BY idx")
        .toArray(),
    );
    expect(records.map((row) => row.id)).toEqual(["lint", "lint[0]", "lint[1]", "lint[2]"]);
    expect(records[0]!.record).toContain('"run"');
    for (const branch of records.slice(1)) expect(branch.record).not.toContain('"run"');
    await evictDurableObject(runObject(id, runId));
    const handed: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const next = (await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId })).structured;
      handed.push(...(next.steps as { task_id: string; definition: { parameters: unknown } }[]));
    }
    expect(handed).toEqual([
      expect.objectContaining({
        task_id: "lint[0]",
        definition: expect.objectContaining({ parameters: { file: "a.ts" } }),
      }),
      expect.objectContaining({
        task_id: "lint[1]",
        definition: expect.objectContaining({ parameters: { file: "b.ts" } }),
      }),
      expect.objectContaining({
        task_id: "lint[2]",
        definition: expect.objectContaining({ parameters: { file: "c.ts" } }),
      }),
    ]);
  });
});
