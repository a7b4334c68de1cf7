/**
 * Migrations that the planner shapes, applied by the RunDO: a run continues at its step by id in
 * the new version, a migration script's state is the dry run's prediction (also over generated
 * state values), a failing script leaves the run's bytes untouched, and a bulk migration moves the
 * runs that can move and lists the others with their reasons.
 */
import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { runObject } from "./support/runs.ts";

const V1 = `name: "plan:flow"
description: "Asks twice, then reports"
version: "1.0.0"
default_state:
  state:
    counter: 3
steps:
  - id: "first"
    type: "mcp_call"
    tool: "pick_number"
  - id: "second"
    type: "mcp_call"
    tool: "pick_number"
  - id: "report"
    type: "user_message"
    message: "v1 {{ this.counter }}"
`;

/** `first` gone, a step added before and after `second`, counter renamed by a script. */
const V2 = `name: "plan:flow"
description: "Asks once, then reports"
version: "2.0.0"
default_state:
  state:
    count: 0
migrations:
  - from: "^1.0.0"
    to: "2.0.0"
    script: "{{ ({ ...state, count: state.counter, counter: undefined }) }}"
steps:
  - id: "intro"
    type: "user_message"
    message: "new intro"
  - id: "second"
    type: "mcp_call"
    tool: "pick_number"
  - id: "extra"
    type: "user_message"
    message: "extra {{ this.count }}"
  - id: "report"
    type: "user_message"
    message: "v2 {{ this.count }}"
`;

/** Its script throws for every run. */
const V3 = `name: "plan:flow"
description: "A release whose migration script fails"
version: "3.0.0"
migrations:
  - from: "^1.0.0"
    to: "3.0.0"
    script: "{{ state.nothing.here }}"
steps:
  - id: "second"
    type: "mcp_call"
    tool: "pick_number"
`;

function runBytes(tenant: string, runId: string): Promise<unknown[]> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) => [
    state.storage.sql.exec("SELECT version, definition, state, status, seq, updated_at FROM run").one(),
    state.storage.sql.exec("SELECT * FROM transitions ORDER BY seq").toArray(),
    state.storage.sql.exec("SELECT COUNT(*) AS n FROM run_versions").one().n,
  ]);
}

async function setUp(): Promise<{ id: string; apiKey: string }> {
  const tenant = await newTenant("plan");
  for (const yaml of [V1, V2, V3]) await publish(tenant.apiKey, yaml);
  return tenant;
}

/** A run of 1.0.0 that has done `first` and has `second` handed out. */
async function runAtSecond(apiKey: string): Promise<string> {
  const runId = (await callTool(apiKey, "workflow_start", { workflow: "plan:flow", version: "1.0.0" }))
    .structured.workflow_id as string;
  await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
  await callTool(apiKey, "workflow_step_complete", {
    workflow_id: runId,
    step_id: "first",
    result: { n: 1 },
  });
  const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
  expect((next.structured.steps as { id: string }[]).map((step) => step.id)).toEqual(["second"]);
  return runId;
}

const migrate = (apiKey: string, workflow_id: string, to_version: string, dry_run: boolean) =>
  callTool(apiKey, "workflow_migrate", { workflow_id, to_version, dry_run });

describe("migrations planned by step id", () => {
  it("the run continues at its step by id, with the script's state, exactly as the dry run said", async () => {
    const { apiKey } = await setUp();
    const runId = await runAtSecond(apiKey);
    const dry = await migrate(apiKey, runId, "2.0.0", true);
    expect(dry.structured).toMatchObject({
      possible: true,
      positions: [expect.objectContaining({ thread_id: "main", from_step_id: "second", step_id: "second" })],
      migrations: [expect.objectContaining({ to: "2.0.0", script: true })],
      state_changes: expect.arrayContaining([
        { path: "state.count", after: 3 },
        { path: "state.counter", before: 3 },
      ]),
    });
    const applied = await migrate(apiKey, runId, "2.0.0", false);
    const { updated_at: _a, ...predicted } = dry.structured.run as Record<string, unknown>;
    const { updated_at: _b, ...actual } = applied.structured.run as Record<string, unknown>;
    expect(actual).toEqual(predicted);

    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "second",
      result: { n: 2 },
    });
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(
      (next.structured.steps as { id: string; definition: { message: string } }[]).map((step) => [
        step.id,
        step.definition.message,
      ]),
    ).toEqual([
      ["extra", "extra 3"],
      ["report", "v2 3"],
    ]);
  });

  it("a migration script that throws leaves the run's bytes untouched, dry run or not", async () => {
    const { id, apiKey } = await setUp();
    const runId = await runAtSecond(apiKey);
    const before = await runBytes(id, runId);
    const dry = await migrate(apiKey, runId, "3.0.0", true);
    expect(dry.structured).toMatchObject({ possible: false, migrated: false });
    expect((dry.structured.problems as { code: string }[]).map((problem) => problem.code)).toEqual([
      "migrate.script_failed",
    ]);
    const applied = await migrate(apiKey, runId, "3.0.0", false);
    const error = toolErrorOf(applied);
    expect(error.code).toBe("migrate.not_possible");
    expect(error.message).toContain("migrate.script_failed");
    expect(await runBytes(id, runId)).toEqual(before);
  });

  it("over generated state values, the dry run's predicted run is the applied run", async () => {
    const { apiKey } = await setUp();
    const value = fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 20 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 4 }),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), { maxKeys: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(value, value, async (counter, other) => {
        const runId = await runAtSecond(apiKey);
        const updates = [
          { path: "this.counter", value: counter },
          { path: "this.other", value: other },
        ];
        expect(
          (await callTool(apiKey, "workflow_state_update", { workflow_id: runId, updates })).isError,
        ).toBe(false);
        const dry = await migrate(apiKey, runId, "2.0.0", true);
        const applied = await migrate(apiKey, runId, "2.0.0", false);
        expect(applied.structured.possible).toBe(dry.structured.possible);
        for (const field of ["positions", "state_changes", "migrations", "problems"])
          expect(applied.structured[field]).toEqual(dry.structured[field]);
        const { updated_at: _a, ...predicted } = dry.structured.run as Record<string, unknown>;
        const { updated_at: _b, ...actual } = applied.structured.run as Record<string, unknown>;
        expect(actual).toEqual(predicted);
        const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
        expect(status.structured.state).toEqual(predicted.state);
      }),
      { numRuns: 12 },
    );
  });
});

describe("workflow_migrate_runs with runs that cannot move", () => {
  it("moves the runs that can, and lists the others, untouched, with their reasons", async () => {
    const { id, apiKey } = await setUp();
    const movable = [await runAtSecond(apiKey), await runAtSecond(apiKey)];
    // still at `first`, which 2.0.0 no longer has
    const stuck = (await callTool(apiKey, "workflow_start", { workflow: "plan:flow", version: "1.0.0" }))
      .structured.workflow_id as string;
    const stuckBefore = await runBytes(id, stuck);
    const args = { workflow: "plan:flow", from_version: "1.0.0", to_version: "2.0.0" };

    const dry = await callTool(apiKey, "workflow_migrate_runs", args);
    expect(dry.structured.totals).toEqual({ visited: 3, would_migrate: 2, migrated: 0, refused: 1 });
    const applied = await callTool(apiKey, "workflow_migrate_runs", { ...args, dry_run: false });
    expect(applied.structured.totals).toEqual({ visited: 3, would_migrate: 0, migrated: 2, refused: 1 });
    const runs = applied.structured.runs as {
      workflow_id: string;
      outcome: string;
      problems: { code: string; step_id?: string }[];
    }[];
    expect(runs.find((run) => run.workflow_id === stuck)).toEqual({
      workflow_id: stuck,
      outcome: "refused",
      problems: [expect.objectContaining({ code: "migrate.step_missing", step_id: "first" })],
    });
    expect(
      runs
        .filter((run) => run.outcome === "migrated")
        .map((run) => run.workflow_id)
        .sort(),
    ).toEqual([...movable].sort());
    expect(await runBytes(id, stuck)).toEqual(stuckBefore);
    const active = (await callTool(apiKey, "workflow_list_active")).structured.workflows as {
      workflow_id: string;
      version: string;
    }[];
    const versionOf = (runId: string) => active.find((run) => run.workflow_id === runId)?.version;
    expect(movable.map(versionOf)).toEqual(["2.0.0", "2.0.0"]);
    expect(versionOf(stuck)).toBe("1.0.0");
  });
});
