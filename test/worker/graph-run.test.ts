/**
 * A dependency graph run through the MCP tools in workerd: two agents get different tasks, the
 * status reports counts per task state and the critical path, workflow_graph draws it, and the
 * task records are rows of their own, written only when they change.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type GraphStep, nextSteps, REVIEWS } from "./graph-support.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject } from "./support/runs.ts";

async function graphRows(tenant: string, runId: string): Promise<{ id: string; status: string }[]> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    state.storage.sql
      .exec<{ id: string; status: string }>("SELECT id, status FROM graph_tasks ORDER BY idx")
      .toArray(),
  );
}

describe("a dependency graph over MCP", () => {
  it("hands two agents different tasks, reports progress, and completes", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, REVIEWS);
    expect(await graphRows(id, runId)).toEqual([
      { id: "review_api", status: "running" },
      { id: "review_ui", status: "running" },
      { id: "summary", status: "waiting" },
    ]);
    const checkpoint = (await inspectRun(id, runId)).state;
    expect(JSON.stringify(checkpoint)).not.toContain("upstreamPending");

    const first = (await nextSteps(apiKey, runId)).steps as GraphStep[];
    const second = (await nextSteps(apiKey, runId)).steps as GraphStep[];
    expect(first).toEqual([expect.objectContaining({ id: "api_review", task_id: "review_api", claim: 1 })]);
    expect(second).toEqual([expect.objectContaining({ id: "ui_review", task_id: "review_ui", claim: 1 })]);
    expect(await nextSteps(apiKey, runId)).toMatchObject({ status: "wait" });

    const status = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(status.graph).toMatchObject({
      step_id: "run_graph",
      status: "running",
      total: 3,
      counts: { running: 2, waiting: 1, success: 0 },
      threads: 2,
      with_agents: 2,
      critical_path: { tasks: ["review_api", "summary"], unit: "tasks" },
    });

    const drawn = (await callTool(apiKey, "workflow_graph", { workflow_id: runId })).structured;
    expect(drawn).toMatchObject({ source: "run", step_id: "run_graph", total: 3, shown: 3, not_shown: 0 });
    expect(drawn.mermaid).toMatch(/^flowchart TD\n/);
    expect(drawn.mermaid).toContain("t0 --> t2");
    expect(drawn.mermaid).toContain("classDef running");

    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "ui_review",
      task_id: "review_ui",
      claim: 1,
      result: "ui ok",
    });
    expect(done.structured).toMatchObject({ run_status: "running", next: { status: "wait" } });
    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "api_review",
      task_id: "review_api",
      claim: 1,
      result: "api ok",
    });
    const summary = (await nextSteps(apiKey, runId)).steps as GraphStep[];
    expect(summary).toEqual([
      expect.objectContaining({
        id: "summary_write",
        task_id: "summary",
        definition: expect.objectContaining({ prompt: "Summarise api ok and ui ok" }),
      }),
    ]);
    const last = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "summary_write",
      task_id: "summary",
      result: "fine",
    });
    expect(last.structured).toMatchObject({ next: { status: "ready" } });
    const message = await nextSteps(apiKey, runId);
    expect(message.steps).toEqual([
      expect.objectContaining({
        id: "after",
        definition: expect.objectContaining({ message: "summary: fine" }),
      }),
    ]);
    expect(await nextSteps(apiKey, runId)).toMatchObject({ status: "completed" });

    const final = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(final).toMatchObject({
      status: "completed",
      state: { state: { started: ["review_api", "review_ui"], reviews: ["ui ok", "api ok"] } },
      graph: { status: "finished", counts: { success: 3 }, critical_path: { unit: "ms" } },
    });
    expect((await graphRows(id, runId)).map((row) => row.status)).toEqual(["success", "success", "success"]);
    const active = (await callTool(apiKey, "workflow_list_active")).structured.workflows as unknown[];
    expect(active).toEqual([]);
  });

  it("workflow_graph draws a published definition; asking for both or neither is refused", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: REVIEWS });
    const drawn = (await callTool(apiKey, "workflow_graph", { workflow: "graph:reviews", direction: "LR" }))
      .structured;
    expect(drawn).toMatchObject({
      source: "workflow",
      workflow: "graph:reviews",
      version: "1.0.0",
      total: 3,
      critical_path: { tasks: ["review_api", "summary"], length: 2, unit: "tasks" },
    });
    expect(drawn.mermaid).toMatch(/^flowchart LR\n/);
    const neither = await callTool(apiKey, "workflow_graph", {});
    expect(toolErrorOf(neither).code).toBe("input.invalid");
    const noGraph = await callTool(apiKey, "workflow_publish", {
      yaml: 'name: "plain:one"\ndescription: "no graph"\nversion: "1.0.0"\nsteps:\n  - id: "hi"\n    type: "user_message"\n    message: "hi"\n',
    });
    expect(noGraph.isError).toBe(false);
    expect(toolErrorOf(await callTool(apiKey, "workflow_graph", { workflow: "plain:one" })).code).toBe(
      "graph.not_found",
    );
    const run = (await callTool(apiKey, "workflow_start", { workflow: "plain:one" })).structured.workflow_id;
    expect(toolErrorOf(await callTool(apiKey, "workflow_graph", { workflow_id: run })).code).toBe(
      "graph.not_found",
    );
  });
});
