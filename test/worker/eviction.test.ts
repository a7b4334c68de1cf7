/** Runs live in SQLite, not in memory: evicting the Durable Objects mid-run changes nothing. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { GREET, SLEEPER } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("eviction", () => {
  it("a run resumes after its RunDO and TenantDO are evicted", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Eve" });
    const first = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect((first.structured.steps as { id: string }[]).map((step) => step.id)).toEqual(["hello", "pick"]);
    const before = await inspectRun(id, runId);

    await evictDurableObject(runObject(id, runId));
    await evictDurableObject(tenantObject(id));

    expect((await inspectRun(id, runId)).state).toEqual(before.state);
    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 1 },
    });
    expect(done.isError).toBe(false);
    const last = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(last.structured.steps).toEqual([
      expect.objectContaining({ id: "small", definition: expect.objectContaining({ message: "small: 2" }) }),
    ]);
    const status = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured.status;
    const active = (await callTool(apiKey, "workflow_list_active")).structured.workflows as {
      workflow_id: string;
    }[];
    expect(active.some((run) => run.workflow_id === runId)).toBe(
      status === "running" || status === "waiting",
    );
  });

  it("a sleeping run wakes from its alarm after eviction", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, SLEEPER);
    await evictDurableObject(runObject(id, runId));
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    expect((await inspectRun(id, runId)).state.main.state.state.woke).toBe(true);
  });

  it("every transition is checkpointed in order", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Flo" });
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 5 },
    });
    const log = await runInDurableObject(runObject(id, runId), (_instance, state) =>
      state.storage.sql
        .exec<{ seq: number; event: string }>("SELECT seq, event FROM transitions ORDER BY seq")
        .toArray(),
    );
    expect(log).toEqual([
      { seq: 0, event: "start" },
      { seq: 1, event: "next" },
      { seq: 2, event: "complete" },
    ]);
  });

  it("asking again for the steps already handed out writes nothing", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, GREET, { name: "Gus" });
    const first = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    // the first ask settles the batched message, the second hands out "pick" on its own
    const second = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const before = await inspectRun(id, runId);
    const transitions = () =>
      runInDurableObject(
        runObject(id, runId),
        (_instance, state) =>
          state.storage.sql.exec<{ seq: number }>("SELECT seq FROM transitions").toArray().length,
      );
    const logged = await transitions();
    for (let ask = 0; ask < 3; ask += 1) {
      const again = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
      expect(again.structured).toEqual(second.structured);
    }
    expect(await transitions()).toBe(logged);
    expect(await inspectRun(id, runId)).toEqual(before);
    expect(first.structured.steps).not.toEqual(second.structured.steps);
  });
});
