/**
 * Workflows that cannot go silently wrong, driven through MCP with AroMCP's own files
 * (test/fixtures/aromcp) and AroMCP-shaped ones: a step that needs a shape asks again, a loop
 * stopped by `max_iterations` says so, and every answer points the agent the right way.
 */
import { describe, expect, it } from "vitest";
import agentCommunication from "../fixtures/aromcp/test-agent-communication.yaml?raw";
import subAgents from "../fixtures/aromcp/test-sub-agents.yaml?raw";
import { callTool, mcpRequest, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";
import { SLEEPER } from "./support/workflows.ts";

interface Instruction {
  id: string;
  type: string;
  attempt: number;
  needs_completion?: boolean;
  task_id?: string;
  definition: Record<string, unknown>;
}

const stepsOf = (structured: Record<string, unknown>) => (structured.steps ?? []) as Instruction[];

async function nextStep(apiKey: string, workflowId: string, taskId?: string) {
  const args = { workflow_id: workflowId, ...(taskId === undefined ? {} : { task_id: taskId }) };
  const call = await callTool(apiKey, "workflow_get_next_step", args);
  if (call.isError) throw new Error(call.text);
  return call.structured;
}

async function complete(apiKey: string, args: Record<string, unknown>) {
  const call = await callTool(apiKey, "workflow_step_complete", args);
  if (call.isError) throw new Error(call.text);
  return call.structured as { run_status: string; next: Record<string, unknown> };
}

/** test-agent-communication.yaml up to its agent_prompt with expected_response. */
async function atAnalysisRequest(apiKey: string): Promise<{ runId: string; prompt: Instruction }> {
  const runId = await publishAndStart(apiKey, agentCommunication, { project_path: "/repo" });
  const lint = stepsOf(await nextStep(apiKey, runId));
  expect(lint.map((step) => step.id)).toEqual(["run_lint"]);
  const after = await complete(apiKey, {
    workflow_id: runId,
    step_id: "run_lint",
    result: [{ file: "a.ts", rule: "semi" }],
  });
  expect(after.next.status).toBe("ready");
  const [prompt] = stepsOf(await nextStep(apiKey, runId));
  expect(prompt?.id).toBe("request_analysis");
  return { runId, prompt: prompt! };
}

describe("a step that needs a shape says so", () => {
  it("hands out the schema with an example, and asks again with the error after a prose answer", async () => {
    const { apiKey } = await newTenant();
    const { runId, prompt } = await atAnalysisRequest(apiKey);
    expect(prompt.attempt).toBe(1);
    expect(prompt.definition.expected_response).toMatchObject({
      required: ["summary", "fixes", "priorities"],
    });
    expect(prompt.definition.example_response).toEqual({ summary: "text", fixes: [null], priorities: {} });
    expect(prompt.definition.response_instructions).toContain("attempt 1 of 4");

    const prose = await complete(apiKey, {
      workflow_id: runId,
      step_id: "request_analysis",
      result: "There are some semicolons missing; add them.",
    });
    expect(prose.run_status).toBe("running");
    expect(prose.next.status).toBe("steps");
    const [again] = stepsOf(prose.next);
    expect(again).toMatchObject({ id: "request_analysis", attempt: 2, needs_completion: true });
    expect(again!.definition.previous_error).toMatch(/type object/);
    expect(again!.definition.response_instructions).toContain("attempt 2 of 4");
    expect(String(prose.next.hint)).toContain("previous_error");
    // asking again changes nothing: the same hand-out
    expect(stepsOf(await nextStep(apiKey, runId))[0]).toMatchObject({ id: "request_analysis", attempt: 2 });

    const missing = await complete(apiKey, {
      workflow_id: runId,
      step_id: "request_analysis",
      result: { summary: "semicolons", fixes: ["add ;"] },
    });
    expect(stepsOf(missing.next)[0]?.definition.previous_error).toMatch(/"priorities"/);

    const fits = await complete(apiKey, {
      workflow_id: runId,
      step_id: "request_analysis",
      result: { summary: "semicolons", fixes: ["add ;"], priorities: { "add ;": "low" } },
    });
    expect(fits.next.status).toBe("ready");
    const [following] = stepsOf(await nextStep(apiKey, runId));
    expect(following).toMatchObject({ id: "process_analysis", attempt: 1 });
  });

  it("after max_retries re-asks, fails through error_handling, naming the step once", async () => {
    const { apiKey } = await newTenant();
    const { runId } = await atAnalysisRequest(apiKey);
    let last: { run_status: string; next: Record<string, unknown> } | undefined;
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      last = await complete(apiKey, { workflow_id: runId, step_id: "request_analysis", result: "prose" });
      if (attempt < 4) expect(stepsOf(last.next)[0]?.attempt).toBe(attempt + 1);
    }
    expect(last!.run_status).toBe("failed");
    const error = last!.next.error as { code: string; message: string };
    expect(error.code).toBe("step.validation_failed");
    // no `step "x" failed: step "x": ...`
    expect(error.message.split('step "request_analysis"').length - 1).toBe(1);
    expect(String(last!.next.hint)).not.toContain(error.message);
  });

  it("with max_retries 0 fails at the first prose answer, naming the step once", async () => {
    const { apiKey } = await newTenant();
    const strict = agentCommunication.replace(
      "        expected_response:\n",
      "        max_retries: 0\n        expected_response:\n",
    );
    expect(strict).not.toBe(agentCommunication);
    const runId = await publishAndStart(apiKey, strict, { project_path: "/repo" });
    await nextStep(apiKey, runId);
    await complete(apiKey, { workflow_id: runId, step_id: "run_lint", result: [{ rule: "semi" }] });
    expect(stepsOf(await nextStep(apiKey, runId))[0]?.id).toBe("request_analysis");
    const prose = await complete(apiKey, {
      workflow_id: runId,
      step_id: "request_analysis",
      result: "prose",
    });
    expect(prose.run_status).toBe("failed");
    const error = prose.next.error as { code: string; message: string };
    expect(error.code).toBe("step.validation_failed");
    expect(error.message).toMatch(/^step "request_analysis" failed: /);
    expect(error.message.split('step "request_analysis"').length - 1).toBe(1);
  });
});

/** An AroMCP-style fix loop (code-standards:enforce) whose checks never pass. */
const fixLoop = (onMax?: string) => `name: "standards:fix-loop"
description: "Lint and fix until clean"
version: "1.0.0"
default_state:
  state:
    lint_clean: false
    attempts: 0
state_schema:
  state:
    lint_clean: "boolean"
    attempts: "number"
steps:
  - id: "fix_loop"
    type: "while_loop"
    condition: "{{ !this.lint_clean }}"
    max_iterations: 3${onMax === undefined ? "" : `\n    on_max_iterations: "${onMax}"`}
    body:
      - id: "run_lint"
        type: "mcp_call"
        tool: "lint_project"
        state_updates:
          - path: "this.lint_clean"
            value: "{{ result.errors.length === 0 }}"
          - path: "this.attempts"
            value: "{{ loop.iteration }}"
  - id: "report"
    type: "user_message"
    message: "Done after {{ this.attempts }} attempts"
`;

async function lintUntilLoopEnds(apiKey: string, runId: string) {
  let answer: { run_status: string; next: Record<string, unknown> } | undefined;
  for (let pass = 1; pass <= 3; pass += 1) {
    expect(stepsOf(await nextStep(apiKey, runId))[0]?.id).toBe("run_lint");
    answer = await complete(apiKey, { workflow_id: runId, step_id: "run_lint", result: { errors: ["E1"] } });
  }
  return answer!;
}

describe("loops that hit max_iterations say so", () => {
  it("continues after the loop by default, with a warning in the answer and the run's status", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, fixLoop());
    const answer = await lintUntilLoopEnds(apiKey, runId);
    expect(answer.run_status).toBe("running");
    expect(answer.next.warnings).toEqual([
      expect.objectContaining({ code: "step.max_iterations", step_id: "fix_loop" }),
    ]);
    expect(String(answer.next.hint)).toContain("max_iterations");
    const report = await nextStep(apiKey, runId);
    expect(stepsOf(report)[0]?.definition.message).toBe("Done after 3 attempts");
    expect(report.warnings).toBeUndefined();
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured.warnings).toEqual([
      expect.objectContaining({ code: "step.max_iterations", step_id: "fix_loop" }),
    ]);
  });

  it("fails the loop step with step.max_iterations when on_max_iterations is fail", async () => {
    const { apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, fixLoop("fail"));
    const answer = await lintUntilLoopEnds(apiKey, runId);
    expect(answer.run_status).toBe("failed");
    expect(answer.next.error).toMatchObject({ code: "step.max_iterations", path: "fix_loop" });
  });
});

/** test-sub-agents.yaml up to the sub-agent tasks being handed out. */
async function subAgentRun(apiKey: string) {
  const runId = await publishAndStart(apiKey, subAgents);
  const first = await nextStep(apiKey, runId);
  return { runId, first };
}

describe("answers that point the right way", () => {
  it("never presents user_message or parallel_foreach as things to complete", async () => {
    const { apiKey } = await newTenant();
    const { runId, first } = await subAgentRun(apiKey);
    const steps = stepsOf(first);
    expect(steps.map((step) => [step.type, step.needs_completion])).toEqual([
      ["user_message", false],
      ["user_message", false],
      ["parallel_foreach", false],
    ]);
    expect(String(first.hint)).not.toMatch(/workflow_step_complete for/);
    const refused = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "process_files_parallel",
    });
    expect(toolErrorOf(refused).code).toBe("run.step_not_pending");
    expect(toolErrorOf(refused).message).toContain("parallel_foreach: no agent completes it");
    // a sub-agent's own batch: the user_message is shown, the mcp_call completed
    const task = await nextStep(apiKey, runId, "process_file.item0");
    expect(stepsOf(task).map((step) => [step.id, step.needs_completion])).toEqual([
      ["attempt_message", false],
      ["get_hints", true],
    ]);
    expect(String(task.hint)).toContain('workflow_step_complete for "get_hints"');
  });

  it("tells a sub-agent that forgot its task_id which tasks are open, and to pass it", async () => {
    const { apiKey } = await newTenant();
    const { runId } = await subAgentRun(apiKey);
    await nextStep(apiKey, runId, "process_file.item0");
    const forgot = await nextStep(apiKey, runId);
    expect(forgot).toMatchObject({
      status: "wait",
      task_ids: ["process_file.item0", "process_file.item1"],
    });
    expect(String(forgot.message)).toContain("must pass its own task_id");
    const misdirected = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "get_hints",
      result: { success: true },
    });
    const error = toolErrorOf(misdirected);
    expect(error).toMatchObject({ code: "run.task_id_required", path: "task_id" });
    expect(error.message).toContain("process_file.item0");
    expect(error.message).not.toContain("process_file.item1");
  });

  it("a failed sub-agent task says the task failed, not the run, while the run goes on", async () => {
    const { apiKey } = await newTenant();
    const { runId } = await subAgentRun(apiKey);
    await nextStep(apiKey, runId, "process_file.item0");
    const failed = await complete(apiKey, {
      workflow_id: runId,
      task_id: "process_file.item0",
      step_id: "get_hints",
      status: "failed",
      error: "hints_for_files is not available",
    });
    expect(failed.run_status).toBe("running");
    expect(failed.next).toMatchObject({
      status: "failed",
      task_id: "process_file.item0",
      run_status: "running",
    });
    expect(String(failed.next.hint)).not.toContain("The run failed");
    expect(String(failed.next.hint)).toContain("Your task process_file.item0 failed");
    const again = await nextStep(apiKey, runId, "process_file.item0");
    expect(again).toMatchObject({ status: "failed", run_status: "running" });
  });

  it("tells a waiting agent how long to wait", async () => {
    const { apiKey } = await newTenant();
    const { runId } = await subAgentRun(apiKey);
    const onTasks = await nextStep(apiKey, runId);
    expect(onTasks.status).toBe("wait");
    expect(onTasks.retry_after_ms).toBeGreaterThan(0);
    expect(String(onTasks.hint)).toMatch(/again in about \d+ s/);

    const sleeper = await publishAndStart(apiKey, SLEEPER);
    const onTimer = await nextStep(apiKey, sleeper);
    expect(onTimer.status).toBe("wait");
    expect(onTimer.retry_after_ms).toBeGreaterThan(0);
    expect(Date.parse(String(onTimer.wait_until))).toBeGreaterThan(0);
  });

  it("workflow_state_update's description does not ask for what workflow_step_complete did", async () => {
    const { apiKey } = await newTenant();
    const { body } = await mcpRequest(apiKey, "tools/list");
    const tools = (body.result as { tools: { name: string; description: string }[] }).tools;
    const update = tools.find((tool) => tool.name === "workflow_state_update")!;
    expect(update.description).not.toMatch(/Use this to store an mcp_call's result/);
    expect(update.description).toContain("workflow_step_complete");
  });
});
