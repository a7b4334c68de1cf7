/** The whole agent loop through MCP: publish → start → get_next_step / step_complete → completed. */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { BROKEN, GREET, GREET_V2 } from "./support/workflows.ts";

describe("authoring tools", () => {
  it("validates YAML without storing it, with positioned diagnostics", async () => {
    const { apiKey } = await newTenant();
    const good = await callTool(apiKey, "workflow_validate", { yaml: GREET });
    expect(good.structured).toMatchObject({ valid: true, name: "demo:greet", version: "1.0.0", errors: [] });
    const bad = await callTool(apiKey, "workflow_validate", { yaml: BROKEN });
    expect(bad.isError).toBe(false);
    expect(bad.structured.valid).toBe(false);
    const errors = bad.structured.errors as { line?: number; column?: number; code: string }[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.line).toBeGreaterThan(1);
    expect(errors[0]?.column).toBeGreaterThanOrEqual(1);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(0);
  });

  it("publishes versions: idempotent for the same text, conflict for changed text", async () => {
    const { apiKey } = await newTenant();
    const first = await callTool(apiKey, "workflow_publish", { yaml: GREET });
    expect(first.structured).toMatchObject({ workflow: "demo:greet", version: "1.0.0", created: true });
    const again = await callTool(apiKey, "workflow_publish", { yaml: GREET });
    expect(again.structured.created).toBe(false);
    const changed = await callTool(apiKey, "workflow_publish", { yaml: GREET.replace("Greets", "Welcomes") });
    expect(toolErrorOf(changed)).toMatchObject({ code: "workflow.version_exists", path: "version" });
    const second = await callTool(apiKey, "workflow_publish", { yaml: GREET_V2 });
    expect(second.structured.versions).toEqual(["1.1.0", "1.0.0"]);
  });

  it("rejects an invalid file with every error and the first one's line:column", async () => {
    const { apiKey } = await newTenant();
    const call = await callTool(apiKey, "workflow_publish", { yaml: BROKEN });
    const error = toolErrorOf(call) as { code: string; message: string; line?: number; column?: number };
    expect(error.code).toBe("workflow.invalid");
    expect(error.line).toBeGreaterThan(1);
    expect(error.message).toMatch(/\d+:\d+/);
    expect((call.structured.errors as unknown[]).length).toBeGreaterThanOrEqual(1);
  });

  it("lists and describes published workflows", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: GREET });
    await callTool(apiKey, "workflow_publish", { yaml: GREET_V2 });
    const list = await callTool(apiKey, "workflow_list");
    expect(list.structured).toMatchObject({
      count: 1,
      workflows: [{ name: "demo:greet", version: "1.1.0", versions: ["1.1.0", "1.0.0"] }],
    });
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "demo:greet", version: "1.0.0" });
    expect(info.structured).toMatchObject({
      name: "demo:greet",
      version: "1.0.0",
      total_steps: 3,
      inputs: { name: { type: "string", required: true, description: "Who to greet" } },
    });
    const missing = await callTool(apiKey, "workflow_get_info", { workflow: "nope:nope" });
    expect(toolErrorOf(missing).code).toBe("workflow.not_found");
    const noVersion = await callTool(apiKey, "workflow_get_info", {
      workflow: "demo:greet",
      version: "9.9.9",
    });
    expect(toolErrorOf(noVersion)).toMatchObject({ code: "workflow.not_found", path: "version" });
  });
});

describe("a run driven by an agent", () => {
  it("runs publish → start → next/complete → completed", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: GREET });

    const started = await callTool(apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "Ada" },
    });
    expect(started.isError).toBe(false);
    const runId = started.structured.workflow_id as string;
    expect(runId).toMatch(/^wf_[0-9a-f]{24}$/);
    expect(started.structured).toMatchObject({ status: "running", state: { inputs: { name: "Ada" } } });

    const active = await callTool(apiKey, "workflow_list_active");
    expect(active.structured.workflows).toEqual([
      expect.objectContaining({ workflow_id: runId, status: "running" }),
    ]);

    const first = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(first.structured.status).toBe("steps");
    const steps = first.structured.steps as {
      id: string;
      type: string;
      definition: Record<string, unknown>;
    }[];
    expect(steps.map((step) => step.id)).toEqual(["hello", "pick"]);
    expect(steps[0]?.definition.message).toBe("Hello Ada, doubled is 2");
    expect(first.structured.hint).toContain("workflow_step_complete");

    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "pick",
      result: { n: 3 },
    });
    expect(done.isError).toBe(false);
    expect(done.structured.step_id).toBe("pick");

    const last = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(last.structured.status).toBe("steps");
    expect((last.structured.steps as { id: string; definition: { message: string } }[])[0]).toMatchObject({
      id: "big",
      definition: { message: "big: 6" },
    });

    const end = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(end.structured.status).toBe("completed");

    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured).toMatchObject({
      status: "completed",
      state: { state: { count: 3 }, computed: { doubled: 6 } },
    });
    expect((await callTool(apiKey, "workflow_list_active")).structured.count).toBe(0);
  });

  it("reads and updates state, with read-only tiers refused", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: GREET });
    const runId = (
      await callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: '{"name":"Bo"}' })
    ).structured.workflow_id as string;

    const all = await callTool(apiKey, "workflow_state_read", { workflow_id: runId });
    expect(all.structured.state).toMatchObject({
      inputs: { name: "Bo" },
      state: { count: 1 },
      computed: { doubled: 2 },
    });
    const some = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      paths: ["this.count", "inputs.name"],
    });
    expect(some.structured.values).toEqual({ "this.count": 1, "inputs.name": "Bo" });

    const updated = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [
        { path: "this.count", value: 4, operation: "increment" },
        { path: "global.note", value: "hi" },
      ],
    });
    expect(updated.structured).toMatchObject({
      updates_applied: 2,
      state: { state: { count: 5 }, computed: { doubled: 10 }, global: { note: "hi" } },
    });

    const readOnly = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: "inputs.name", value: "Eve" }],
    });
    expect(toolErrorOf(readOnly).code).toBe("state.read_only");
    const badJson = await callTool(apiKey, "workflow_state_update", { workflow_id: runId, updates: "[{" });
    expect(toolErrorOf(badJson)).toMatchObject({ code: "input.invalid", path: "updates" });
  });

  it("cancels a running run; a finished run cannot be cancelled", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: GREET });
    const runId = (
      await callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Cy" } })
    ).structured.workflow_id as string;
    const cancelled = await callTool(apiKey, "workflow_cancel", { workflow_id: runId, reason: "test" });
    expect(cancelled.structured).toEqual({ workflow_id: runId, status: "cancelled" });
    expect((await callTool(apiKey, "workflow_list_active")).structured.count).toBe(0);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.status).toBe("cancelled");
    expect(toolErrorOf(await callTool(apiKey, "workflow_cancel", { workflow_id: runId })).code).toBe(
      "run.not_running",
    );
  });

  it("reports engine errors as tool errors with stable codes", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: GREET });
    const noInput = await callTool(apiKey, "workflow_start", { workflow: "demo:greet" });
    expect(toolErrorOf(noInput).code).toMatch(/^state\./);
    const unknown = await callTool(apiKey, "workflow_start", { workflow: "demo:nothing" });
    expect(toolErrorOf(unknown).code).toBe("workflow.not_found");

    const runId = (
      await callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Di" } })
    ).structured.workflow_id as string;
    const wrongStep = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "nope",
    });
    expect(toolErrorOf(wrongStep).code).toMatch(/^run\./);
    const wrongTask = await callTool(apiKey, "workflow_get_next_step", {
      workflow_id: runId,
      task_id: "x.item0",
    });
    expect(toolErrorOf(wrongTask).code).toBe("run.task_not_found");
    const noRun = await callTool(apiKey, "workflow_get_status", {
      workflow_id: "wf_000000000000000000000000",
    });
    expect(toolErrorOf(noRun)).toMatchObject({ code: "run.not_found", path: "workflow_id" });
    const badId = await callTool(apiKey, "workflow_get_status", { workflow_id: "demo:greet" });
    expect(toolErrorOf(badId)).toMatchObject({ code: "input.invalid", path: "workflow_id" });
  });
});
