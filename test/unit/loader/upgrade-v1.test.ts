/**
 * @module
 * The schema_version 1 upgrade on this project's own phase-5 fixtures (test/fixtures/loader/phase5)
 * and on the AroMCP phase-5-era files: detection, the rewrites of the table in docs/dialect.md,
 * and one deprecation warning per feature, with a position.
 */
import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import { detectSchemaVersion, loadWorkflow } from "../../../engine/loader/index.ts";
import { fixtureText } from "./fixture-text.ts";

function load(name: string): { definition: WorkflowDefinition; warnings: string[] } {
  const result = loadWorkflow(fixtureText(name));
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return {
    definition: result.definition,
    warnings: result.warnings.map((warning) => `${warning.line}:${warning.column} ${warning.code}`),
  };
}

describe("detection", () => {
  it("reads explicit versions and unmarked files by their features", () => {
    expect(detectSchemaVersion({ schema_version: 1, steps: [] })).toBe(1);
    expect(detectSchemaVersion({ steps: [{ id: "a", type: "break" }] })).toBe(2);
    expect(detectSchemaVersion({ steps: [{ type: "break" }] })).toBe(1);
    expect(detectSchemaVersion({ default_state: { raw: {} }, steps: [] })).toBe(1);
    expect(detectSchemaVersion({ steps: [{ id: "a", type: "while", steps: [] }] })).toBe(1);
    expect(
      detectSchemaVersion({
        steps: [{ id: "c", type: "conditional", then_steps: [{ id: "d", type: "state_update" }] }],
      }),
    ).toBe(1);
  });

  it("leaves current files alone: no warnings", () => {
    const result = loadWorkflow(fixtureText("loader/valid/every-step.yaml"));
    expect(result.warnings).toEqual([]);
  });
});

describe("counter.yaml (unmarked phase-5 file)", () => {
  const { definition, warnings } = load("loader/phase5/counter.yaml");

  it("warns once per feature, at the first place it occurs", () => {
    expect(warnings).toEqual([
      "3:1 deprecated.missing_version",
      "12:3 deprecated.raw_tier",
      "21:13 deprecated.legacy_path",
      "28:5 deprecated.missing_step_id",
      "28:11 deprecated.state_update_step",
      "38:5 deprecated.output_format",
      "40:7 deprecated.shell_output_value",
    ]);
  });

  it("moves the raw tier to state and rewrites computed paths", () => {
    expect(definition.version).toBe("0.0.0");
    expect(definition.schema_version).toBe(2);
    expect(definition.default_state).toEqual({ state: { count: 0, greeting: "" } });
    expect(definition.state_schema?.state).toEqual({ count: "number" });
    expect(definition.state_schema?.computed?.doubled?.from).toBe("this.count");
    // `who` is an input and not a raw field: raw.who reads the input
    expect(definition.state_schema?.computed?.shout?.from).toEqual(["inputs.who", "this.doubled"]);
  });

  it("rewrites the steps", () => {
    expect(definition.steps.map((step) => [step.id, step.type])).toEqual([
      ["step_0", "set_state"],
      ["step_1", "user_message"],
      ["step_2", "shell_command"],
    ]);
    expect(definition.steps[0]?.state_update).toEqual({
      path: "this.count",
      value: 3,
      operation: "increment",
    });
    expect(definition.steps[2]?.state_update).toEqual({
      path: "this.greeting",
      value: "stdout",
      operation: "set",
    });
    expect(definition.steps[2]).not.toHaveProperty("output_format");
    // templates are left as written: bare names resolve at run time
    expect(definition.steps[1]).toMatchObject({
      message: "{{ who }} counted to {{ count }} (doubled {{ doubled }})",
    });
  });
});

describe("control-flow.yaml", () => {
  const { definition, warnings } = load("loader/phase5/control-flow.yaml");

  it("warns about each control-flow feature", () => {
    expect(warnings.map((warning) => warning.split(" ")[1])).toEqual([
      "deprecated.raw_tier",
      "deprecated.batch_state_update",
      "deprecated.legacy_path",
      "deprecated.missing_step_id",
      "deprecated.then_else",
      "deprecated.break_outside_loop",
      "deprecated.loop_steps",
      "deprecated.while_type",
      "deprecated.state_update_step",
    ]);
  });

  it("produces v2 control flow with depth-first ids that avoid explicit ones", () => {
    const [batch, branch, loop] = definition.steps;
    expect(batch).toMatchObject({ id: "step_1", type: "set_state" });
    expect(batch?.state_updates?.map((update) => update.path)).toEqual(["this.files", "this.tries"]);
    if (branch?.type !== "conditional" || loop?.type !== "while_loop") throw new Error("shape");
    expect(branch.id).toBe("step_1_");
    // the break outside any loop is dropped; the one inside the foreach body is kept
    expect(branch.then_steps.map((step) => step.type)).toEqual(["user_message"]);
    const each = branch.else_steps[0];
    if (each?.type !== "foreach") throw new Error("shape");
    expect(each.body.map((step) => step.type)).toEqual(["user_message", "continue"]);
    expect(loop.body.map((step) => step.type)).toEqual(["set_state", "conditional"]);
    expect(loop.max_iterations).toBe(5);
    const ids = JSON.stringify(definition).match(/"id":"step_\d+_?"/g);
    expect(new Set(ids).size).toBe(ids?.length);
  });
});

describe("sub-agent.yaml (schema_version: 1 explicit)", () => {
  const { definition, warnings } = load("loader/phase5/sub-agent.yaml");

  it("upgrades the sub-agent task", () => {
    expect(warnings.map((warning) => warning.split(" ")[1])).toEqual([
      "deprecated.schema_version",
      "deprecated.raw_tier",
      "deprecated.legacy_path",
      "deprecated.missing_step_id",
    ]);
    const task = definition.sub_agent_tasks?.check_file;
    expect(task?.default_state).toEqual({ state: { ok: false } });
    expect(task?.state_schema?.computed?.is_ts?.from).toBe("inputs.file_path");
    expect(task?.steps?.[0]).toMatchObject({ id: "step_1", type: "mcp_call", store_result: "this.ok" });
  });
});

describe("AroMCP phase-5-era files", () => {
  it.each([
    "aromcp/phase5-era/test-simple.yaml",
    "aromcp/phase5-era/analyze-dependencies.yaml",
    "aromcp/phase5-era/code-standards-enforce.yaml",
  ])("%s loads through the upgrade, with warnings", (name) => {
    const { warnings } = load(name);
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(warning).toMatch(/^\d+:\d+ deprecated\.[a-z_]+$/);
  });

  it("numbers test:simple's steps as AroMCP did (step_0, step_1, step_2)", () => {
    const { definition } = load("aromcp/phase5-era/test-simple.yaml");
    expect(definition.steps.map((step) => step.id)).toEqual(["step_0", "step_1", "step_2"]);
  });
});
