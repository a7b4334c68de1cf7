/** Sub-agents drive their own tasks through the same tools, with task_id. */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";
import { FAN_OUT } from "./support/workflows.ts";

describe("sub-agent tasks over MCP", () => {
  it("hands out tasks, lets each sub-agent finish its own, then resumes the main agent", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, FAN_OUT, { files: ["a.ts", "b.ts"] });

    const fan = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const [step] = fan.structured.steps as {
      id: string;
      type: string;
      definition: { tasks: { task_id: string }[] };
    }[];
    expect(step).toMatchObject({ id: "fan_out", type: "parallel_foreach" });
    const taskIds = step!.definition.tasks.map((task) => task.task_id);
    expect(taskIds).toEqual(["lint_file.item0", "lint_file.item1"]);
    expect(fan.structured.hint).toContain("task_id");

    for (const [index, taskId] of taskIds.entries()) {
      const work = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId, task_id: taskId });
      expect(work.structured).toMatchObject({ task_id: taskId, status: "steps" });
      expect(
        (work.structured.steps as { definition: { parameters: { file: string } } }[])[0]?.definition
          .parameters.file,
      ).toBe(index === 0 ? "a.ts" : "b.ts");
      const own = await callTool(apiKey, "workflow_state_read", { workflow_id: runId, task_id: taskId });
      expect(own.structured.state).toMatchObject({
        inputs: { file_path: index === 0 ? "a.ts" : "b.ts" },
        state: { ok: false },
      });
      await callTool(apiKey, "workflow_step_complete", {
        workflow_id: runId,
        task_id: taskId,
        step_id: "lint",
        result: { errors: index === 0 ? [] : ["E1"] },
      });
      const end = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId, task_id: taskId });
      expect(end.structured.status).toBe("completed");
    }

    const report = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(report.structured.steps).toEqual([
      expect.objectContaining({
        id: "report",
        definition: expect.objectContaining({ message: "1 of 2 clean" }),
      }),
    ]);
  });

  it("answers unknown tasks and bad paths with stable codes", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, FAN_OUT, { files: ["a.ts"] });
    const noTask = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      task_id: "lint_file.item7",
    });
    expect(toolErrorOf(noTask)).toMatchObject({ code: "run.task_not_found", path: "task_id" });
    const noTaskPaths = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      task_id: "lint_file.item7",
      paths: ["this.ok"],
    });
    expect(toolErrorOf(noTaskPaths).code).toBe("run.task_not_found");
    const badPath = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      paths: ["nowhere.x"],
    });
    expect(toolErrorOf(badPath).code).toMatch(/^state\./);
  });
});
