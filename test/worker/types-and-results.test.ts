/**
 * Through MCP, with AroMCP's own files: a result sent as plain text is read by the step's rule
 * (`cat package.json` stays the shell_command's stdout), a result the step cannot take is a coded
 * `workflow_step_complete` error that leaves the run as it was, and a value that does not fit its
 * declared type fails the step (`workflow_step_complete`) or is refused (`workflow_state_update`).
 */
import { describe, expect, it } from "vitest";
import ANALYZE from "../fixtures/aromcp/analyze-dependencies.yaml?raw";
import COMMUNICATION from "../fixtures/aromcp/test-agent-communication.yaml?raw";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";

const PACKAGE_JSON = `{\n  "name": "app",\n  "dependencies": {\n    "hono": "3.0.0"\n  }\n}\n`;
const LINT_OUTPUT = { success: true, data: { issues: [{ file: "src/a.ts", rule: "no-var" }] } };

async function firstStep(apiKey: string, runId: string): Promise<string> {
  const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
  const steps = next.structured.steps as { id: string }[];
  return steps[0]!.id;
}

async function stateOf(apiKey: string, runId: string) {
  const read = await callTool(apiKey, "workflow_state_read", { workflow_id: runId });
  return read.structured.state as { state: Record<string, unknown>; computed: Record<string, unknown> };
}

describe("results sent as plain text (analyze-dependencies.yaml)", () => {
  it("keeps `cat package.json` printed as text as the shell_command's stdout", async () => {
    const { apiKey } = await newTenant("results");
    const runId = await publishAndStart(apiKey, ANALYZE);
    expect(await firstStep(apiKey, runId)).toBe("read_package");
    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "read_package",
      result: PACKAGE_JSON,
    });
    expect(done.isError).toBe(false);
    const state = await stateOf(apiKey, runId);
    expect(state.state.package_json).toBe(PACKAGE_JSON);
    expect(state.computed.dependencies).toEqual({ hono: "3.0.0" });
  });

  it("refuses an object that is not the command's output with step.invalid_result, the run unchanged", async () => {
    const { apiKey } = await newTenant("results");
    const runId = await publishAndStart(apiKey, ANALYZE);
    await firstStep(apiKey, runId);
    const refused = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "read_package",
      result: JSON.parse(PACKAGE_JSON),
    });
    const error = toolErrorOf(refused);
    expect(error.code).toBe("step.invalid_result");
    expect(error.message).toContain("Send the output text as a string");
    expect(error.message).toContain("you sent an object with keys name, dependencies, without stdout");
    expect(error.message).toContain("Nothing changed: complete the step again");
    expect(await firstStep(apiKey, runId)).toBe("read_package");
    const again = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "read_package",
      result: { stdout: PACKAGE_JSON, stderr: "", exit_code: 0 },
    });
    expect(again.isError).toBe(false);
    expect((await stateOf(apiKey, runId)).computed.dependencies).toEqual({ hono: "3.0.0" });
  });
});

describe("declared types (test-agent-communication.yaml)", () => {
  it("fails the step that stores the tool's envelope into `lint_issues: array`, saying what to send", async () => {
    const { apiKey } = await newTenant("types");
    const runId = await publishAndStart(apiKey, COMMUNICATION, { project_path: "/repo" });
    expect(await firstStep(apiKey, runId)).toBe("run_lint");
    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "run_lint",
      // the tool's output as JSON text: an mcp_call's JSON text is the object it holds
      result: JSON.stringify(LINT_OUTPUT),
    });
    expect(done.structured).toMatchObject({
      run_status: "failed",
      next: { status: "failed", error: { code: "state.type_mismatch" } },
    });
    const next = done.structured.next as { error: { message: string } };
    expect(next.error.message).toContain(
      'this.lint_issues is declared array; the value written is an object with keys success, data. Its field data.issues is an array: write that instead (send it as the result, or use value: "result.data.issues" in a state_update)',
    );
  });

  it("refuses a workflow_state_update of another type and changes nothing", async () => {
    const { apiKey } = await newTenant("types");
    const runId = await publishAndStart(apiKey, COMMUNICATION, { project_path: "/repo" });
    const refused = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [
        { path: "this.fixes_applied", value: true },
        { path: "this.lint_issues", value: LINT_OUTPUT },
      ],
    });
    expect(toolErrorOf(refused)).toMatchObject({
      code: "state.type_mismatch",
      path: "this.lint_issues",
      message: expect.stringContaining("this.lint_issues is declared array"),
    });
    expect((await stateOf(apiKey, runId)).state).toMatchObject({ lint_issues: [], fixes_applied: false });
    const accepted = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: "this.lint_issues", value: LINT_OUTPUT.data.issues }],
    });
    expect(accepted.isError).toBe(false);
    expect((await stateOf(apiKey, runId)).computed.has_issues).toBe(true);
  });

  it("refuses a workflow_start whose input is not of its declared type", async () => {
    const { apiKey } = await newTenant("types");
    const published = await callTool(apiKey, "workflow_publish", { yaml: COMMUNICATION });
    const refused = await callTool(apiKey, "workflow_start", {
      workflow: published.structured.workflow,
      inputs: { project_path: ["/repo"] },
    });
    expect(toolErrorOf(refused)).toMatchObject({
      code: "state.invalid_input",
      message: expect.stringContaining("input project_path must be a string, got an array"),
    });
  });

  it("refuses to publish a default that does not fit its declared type, with its line", async () => {
    const { apiKey } = await newTenant("types");
    const yaml = COMMUNICATION.replace("    lint_issues: []", "    lint_issues: {}");
    const refused = await callTool(apiKey, "workflow_publish", { yaml });
    const error = toolErrorOf(refused) as { code: string; message: string; line?: number };
    expect(error.code).toBe("workflow.invalid");
    expect(error.line).toBe(13);
    expect(error.message).toContain("this.lint_issues is declared array; its default is an empty object");
  });
});
