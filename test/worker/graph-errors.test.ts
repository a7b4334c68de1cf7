/**
 * Bad graph input over MCP is a clear error with a stable code, never a 500: cycles, self-edges
 * and missing tasks at publish time (with line:column), a 1,000,000-task graph (refused by the
 * body limit when published, by the 1 MiB cap on expression results when a fan-out's items would
 * build it at run time; 250,000 items fit that cap and meet the 200,000-task quota), dynamic additions that would close a cycle, stale claims, and completions for tasks
 * that are not running.
 */
import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../engine/errors.ts";
import { classifyCode, httpStatusOf } from "../../worker/errors/codes.ts";
import { type GraphStep, nextSteps, PLANNER, REVIEWS } from "./graph-support.ts";
import { callTool, mcpRaw, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";

function workflow(
  name: string,
  dependencies: string,
  steps = "  - id: run_graph\n    type: dependency_flow\n",
): string {
  return `name: "${name}"\ndescription: "graph input"\nversion: "1.0.0"\ndependencies:\n${dependencies}steps:\n${steps}`;
}

interface Diagnostic {
  code: string;
  message: string;
  line?: number;
  column?: number;
}

async function publishErrors(apiKey: string, yaml: string): Promise<Diagnostic[]> {
  const call = await callTool(apiKey, "workflow_publish", { yaml });
  expect(toolErrorOf(call).code).toBe("workflow.invalid");
  return (call.structured as { errors: Diagnostic[] }).errors;
}

describe("bad graphs at publish time", () => {
  it("a cycle is refused, listed with its position", async () => {
    const { apiKey } = await newTenant();
    const errors = await publishErrors(
      apiKey,
      workflow("bad:cycle", "  start: []\n  a: [start, c]\n  b: [a]\n  c: [b]\n"),
    );
    // the loader lists a cycle along `needs` (a needs c, c needs b, b needs a)
    expect(errors).toEqual([
      expect.objectContaining({
        code: "loader.dependency_cycle",
        message: "dependencies form a cycle: a → c → b → a",
        path: "dependencies.a",
        line: 6,
      }),
    ]);
  });

  it("a self-edge and a missing task are refused with their codes", async () => {
    const { apiKey } = await newTenant();
    const selfEdge = await publishErrors(apiKey, workflow("bad:self", "  build:\n    needs: [build]\n"));
    expect(selfEdge.map((error) => error.code)).toEqual(["loader.dependency_cycle"]);
    expect(selfEdge[0]!.message).toContain("build → build");
    const missing = await publishErrors(
      apiKey,
      workflow("bad:missing", "  build: []\n  deploy: [build, publish]\n"),
    );
    expect(missing).toEqual([
      expect.objectContaining({
        code: "loader.unknown_dependency",
        message: expect.stringContaining('"publish"'),
      }),
    ]);
  });

  it("a 1,000,000-task graph cannot be published: the 1 MiB body limit answers 413, not 500", async () => {
    const { apiKey } = await newTenant();
    const tasks = Array.from({ length: 1_000_000 }, (_, i) => `  t${i}: []\n`).join("");
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_publish", arguments: { yaml: workflow("big:million", tasks) } },
    });
    const response = await mcpRaw(apiKey, body);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("request.too_large");
  });
});

describe("bad graphs at run time", () => {
  it("a fan-out past the 200,000-task quota is refused (graph.too_large)", async () => {
    const { apiKey } = await newTenant();
    // 250,000 zeros: about 500 KB of JSON, inside the 1 MiB cap on expression results
    const fanOut = '  seed: []\n  work:\n    needs: [seed]\n    for_each: "{{ Array(250000).fill(0) }}"\n';
    const runId = await publishAndStart(apiKey, workflow("big:fan-out", fanOut));
    const status = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(status).toMatchObject({
      status: "failed",
      error: { code: "graph.too_large", message: expect.stringContaining("250000 branches") },
      graph: { status: "finished", total: 2, counts: { success: 1, failed: 1 } },
    });
    expect(await nextSteps(apiKey, runId)).toMatchObject({
      status: "failed",
      error: { code: "graph.too_large" },
    });
  });

  it("a fan-out to 1,000,000 tasks is refused before that, by the cap on expression results", async () => {
    const { apiKey } = await newTenant();
    // a sparse array: `fill(0)` on a million elements is now charged to the run's expression budget
    const fanOut = '  seed: []\n  work:\n    needs: [seed]\n    for_each: "{{ Array(1000000) }}"\n';
    const runId = await publishAndStart(apiKey, workflow("big:fan-out-million", fanOut));
    const status = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(status).toMatchObject({ status: "failed", error: { code: "expression.result_too_large" } });
  });

  it("a dynamic addition that would close a cycle is refused; the run is unchanged and goes on", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, PLANNER);
    const [plan] = (await nextSteps(apiKey, runId)).steps as GraphStep[];
    const before = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    const complete = (result: unknown) =>
      callTool(apiKey, "workflow_step_complete", {
        workflow_id: runId,
        step_id: plan!.id,
        task_id: plan!.task_id,
        claim: plan!.claim,
        result,
      });
    const cyclic = await complete({
      add_tasks: { extra: ["ship"] },
      add_edges: [{ from: "extra", to: "ship" }],
    });
    expect(toolErrorOf(cyclic)).toMatchObject({
      code: "graph.dynamic_cycle",
      message: expect.stringContaining("ship → extra → ship"),
    });
    const intoFinished = await complete({
      add_tasks: { late: [] },
      add_edges: [{ from: "late", to: "plan" }],
    });
    expect(toolErrorOf(intoFinished).code).toBe("graph.edge_into_finished");
    const after = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(after.graph).toEqual(before.graph);
    const accepted = await complete({
      add_tasks: { extra: ["plan"] },
      add_edges: [{ from: "extra", to: "ship" }],
    });
    expect(accepted.isError).toBe(false);
    const final = (await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).structured;
    expect(final).toMatchObject({ status: "completed", graph: { total: 3, counts: { success: 3 } } });
  });

  it("a stale claim and a completion for a task that is not running are clear errors", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, REVIEWS);
    const [step] = (await nextSteps(apiKey, runId)).steps as GraphStep[];
    const stale = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: step!.id,
      task_id: step!.task_id,
      claim: step!.claim + 1,
      result: "x",
    });
    expect(toolErrorOf(stale).code).toBe("graph.stale_claim");
    const notRunning = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "summary_write",
      task_id: "summary",
      result: "x",
    });
    expect(toolErrorOf(notRunning)).toMatchObject({
      code: "run.step_not_pending",
      message: expect.stringContaining("waiting"),
    });
  });

  it.each<[ErrorCode, number]>([
    ["graph.too_large", 413],
    ["graph.dynamic_cycle", 400],
    ["graph.unknown_task", 400],
    ["graph.self_edge", 400],
    ["graph.stale_claim", 409],
    ["graph.edge_into_finished", 409],
    ["graph.not_found", 404],
    ["graph.bad_items", 422],
    ["run.graph_missing", 500],
  ])("%s maps to HTTP %i", (code, status) => {
    expect(httpStatusOf(classifyCode(code))).toBe(status);
  });
});
