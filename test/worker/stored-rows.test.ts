/**
 * What the RunDO reads back from SQLite is parsed, not trusted: a checkpoint written in format 1
 * (or before the `format` field existed) loads, upgraded to format 2; a damaged or unknown-format checkpoint, task row or stored
 * definition is the coded error `storage.corrupt` from the run's RPC, not a crash.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RunDO } from "../../durable-objects/run-do.ts";
import { REVIEWS } from "./graph-support.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

async function rewrite(tenant: string, runId: string, statement: string, ...values: string[]) {
  await runInDurableObject(runObject(tenant, runId), (_instance, state) => {
    state.storage.sql.exec(statement, ...values);
  });
  await evictDurableObject(runObject(tenant, runId));
}

function runStub(tenant: string, runId: string): DurableObjectStub<RunDO> {
  return runObject(tenant, runId) as DurableObjectStub<RunDO>;
}

async function snapshotOutcome(tenant: string, runId: string) {
  return runInDurableObject(runStub(tenant, runId), (instance) => instance.snapshot(tenant, runId));
}

async function storedState(tenant: string, runId: string): Promise<Record<string, unknown>> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    JSON.parse(state.storage.sql.exec<{ state: string }>("SELECT state FROM run").one().state),
  );
}

describe("stored checkpoints", () => {
  it("are written with format 2, each frame addressed by step ids", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Ada" });
    const stored = await storedState(id, runId);
    expect(stored.format).toBe(2);
    const frames = (stored.main as { frames: { address?: { list: string[] } }[] }).frames;
    expect(frames.map((frame) => frame.address?.list)).toEqual([["steps"]]);
  });

  it.each([
    ["before the format field existed", undefined],
    ["in format 1", 1],
  ])("a checkpoint written %s loads upgraded to format 2 and the run goes on", async (_when, format) => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Ada" });
    const { format: current, ...state } = await storedState(id, runId);
    expect(current).toBe(2);
    const main = state.main as { frames: { address?: unknown }[] };
    const older = {
      ...state,
      main: { ...main, frames: main.frames.map(({ address: _address, ...frame }) => frame) },
    };
    await rewrite(
      id,
      runId,
      "UPDATE run SET state = ?",
      JSON.stringify(format === undefined ? older : { format, ...older }),
    );

    // read back: the addresses computed again from the run's stored definition
    expect((await inspectRun(id, runId)).state).toEqual(state);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.isError).toBe(false);
    expect((await storedState(id, runId)).format).toBe(2);
  });

  it.each([
    ["not JSON", () => "{not json"],
    ["not an object", () => "[1, 2]"],
    ["an unknown format", (state: Record<string, unknown>) => JSON.stringify({ ...state, format: 3 })],
    [
      "a thread without frames",
      (state: Record<string, unknown>) =>
        JSON.stringify({ ...state, main: { ...(state.main as object), frames: "none" } }),
    ],
  ])("a checkpoint that is %s is storage.corrupt", async (_what, damage) => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Ada" });
    await rewrite(id, runId, "UPDATE run SET state = ?", damage(await storedState(id, runId)));

    const outcome = await snapshotOutcome(id, runId);
    expect(outcome).toMatchObject({ ok: false, error: { code: "storage.corrupt" } });
  });

  it("a stored definition that does not parse is storage.corrupt", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Ada" });
    await rewrite(
      id,
      runId,
      "UPDATE run SET definition = ?",
      JSON.stringify({ name: "demo:greet", steps: 3 }),
    );

    const outcome = await runInDurableObject(runStub(id, runId), (instance) =>
      instance.apply(id, runId, { kind: "next" }),
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: "storage.corrupt" } });
  });

  it("a graph task row that does not parse is storage.corrupt", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, REVIEWS);
    await rewrite(id, runId, "UPDATE graph_tasks SET record = ? WHERE idx = 0", JSON.stringify({ index: 0 }));

    const outcome = await snapshotOutcome(id, runId);
    expect(outcome).toMatchObject({ ok: false, error: { code: "storage.corrupt" } });
    expect(JSON.stringify(outcome)).toContain("graph task row");
  });
});

describe("stored workflow versions", () => {
  it("a damaged stored definition is storage.corrupt when a run is started, not a crash", async () => {
    const { id, apiKey } = await newTenant();
    await publishAndStart(apiKey, GREET, { name: "Ada" });
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      state.storage.sql.exec("UPDATE workflow_versions SET definition = ?", JSON.stringify({ steps: 3 }));
    });
    // the object keeps the definitions it parsed (tenant/start-definitions.ts): a row damaged
    // behind its back is met when the object next reads it, after an eviction
    await evictDurableObject(tenantObject(id));
    const started = await callTool(apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "Ada" },
    });
    expect(started.isError).toBe(true);
    expect(started.structured.error).toMatchObject({ code: "storage.corrupt" });
  });
});
