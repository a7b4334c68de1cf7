/**
 * A 1,000-task graph of agent tasks (each a server step, then a step for an agent) survives the
 * eviction of its RunDO in the middle, with 50 steps out with agents: after the restore from
 * the graph's rows, no task is handed out twice, no server step runs twice, every late answer
 * is accepted once, and the run completes.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runStub } from "../../durable-objects/bindings.ts";
import type { MachineEvent } from "../../engine/machine/run-model.ts";
import { type GraphStep, layeredGraph } from "./graph-support.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject } from "./support/runs.ts";

const TASKS = 1_000;
const LIMIT = 50;

describe("resume after eviction in the middle of a 1,000-task graph", () => {
  it("runs every task exactly once", { timeout: 120_000 }, async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, layeredGraph(TASKS, LIMIT));
    const rpc = runStub(env, id, runId);
    const apply = async (event: MachineEvent) => {
      const outcome = await rpc.apply(id, runId, event);
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
      return outcome.value;
    };

    const handedOut: string[] = [];
    const completed: string[] = [];
    let evicted = false;
    for (let round = 0; completed.length < TASKS; round += 1) {
      expect(round).toBeLessThan(TASKS);
      // agents ask until nothing is left to hand out (at most parallel_limit at once)
      const batch: GraphStep[] = [];
      for (;;) {
        const { next } = await apply({ kind: "next" });
        if (next.status !== "steps") break;
        batch.push(...(next.steps as GraphStep[]));
      }
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(LIMIT);
      handedOut.push(...batch.map((step) => step.task_id));
      if (!evicted && completed.length >= TASKS / 2) {
        await evictDurableObject(runObject(id, runId));
        evicted = true;
      }
      for (const step of batch) {
        await apply({
          kind: "complete",
          stepId: step.id,
          taskId: step.task_id,
          claim: step.claim,
          status: "success",
          result: step.task_id,
        });
        completed.push(step.task_id);
      }
    }
    expect(evicted).toBe(true);
    expect(new Set(handedOut).size).toBe(TASKS);
    expect(handedOut).toHaveLength(TASKS);

    const { state } = await inspectRun(id, runId);
    expect(state.status).toBe("completed");
    const started = state.main.state.state.started as string[];
    const done = state.main.state.state.done as string[];
    expect(started).toHaveLength(TASKS);
    expect(new Set(started).size).toBe(TASKS);
    expect(done).toHaveLength(TASKS);
    expect(new Set(done).size).toBe(TASKS);

    const rows = await runInDurableObject(runObject(id, runId), (_instance, storage) =>
      storage.storage.sql
        .exec<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM graph_tasks GROUP BY status")
        .toArray(),
    );
    expect(rows).toEqual([{ status: "success", n: TASKS }]);
    const status = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(status.graph).toMatchObject({ status: "finished", total: TASKS, counts: { success: TASKS } });
    expect((status.graph as { critical_path: { tasks: string[] } }).critical_path.tasks).toHaveLength(
      TASKS / LIMIT,
    );
  });
});
