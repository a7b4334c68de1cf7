/**
 * @module
 * One failing fixture per check (test/fixtures/loader/invalid/*.yaml, each saying on its first
 * line what it proves): the code and the line:column of every error.
 */
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { fixtureText } from "./fixture-text.ts";

function errorsOf(name: string): string[] {
  const result = loadWorkflow(fixtureText(`loader/invalid/${name}`));
  if (result.ok) throw new Error(`${name} loaded`);
  return result.errors.map((error) => `${error.line}:${error.column} ${error.code}`);
}

describe("invalid fixtures", () => {
  it.each([
    ["unknown-key.yaml", ["6:5 loader.missing_field", "8:5 loader.unknown_key"]],
    ["missing-field.yaml", ["6:5 loader.missing_field"]],
    ["invalid-type.yaml", ["9:21 loader.invalid_type"]],
    ["unknown-step-type.yaml", ["10:11 loader.unknown_step_type"]],
    ["invalid-value.yaml", ["10:17 loader.invalid_value"]],
    ["duplicate-step-id.yaml", ["13:13 loader.duplicate_step_id"]],
    ["bad-version.yaml", ["4:10 loader.bad_version"]],
    [
      "read-only-path.yaml",
      [
        "14:13 loader.read_only_path",
        "19:19 loader.read_only_path",
        "23:13 loader.read_only_path",
        "28:13 loader.read_only_path",
      ],
    ],
    ["computed-cycle.yaml", ["8:13 loader.computed_cycle"]],
    ["unknown-sub-agent-task.yaml", ["9:21 loader.unknown_sub_agent_task"]],
    ["break-outside-loop.yaml", ["12:15 loader.break_outside_loop"]],
    ["duplicate-key.yaml", ["8:5 loader.duplicate_key"]],
    ["not-a-mapping.yaml", ["2:1 loader.not_a_mapping"]],
    ["invalid-path.yaml", ["9:13 loader.invalid_path"]],
    ["dependency-graph.yaml", ["6:10 loader.dependency_cycle", "9:19 loader.unknown_dependency"]],
  ])("%s", (name, expected) => {
    expect(errorsOf(name)).toEqual(expected);
  });

  it("reports YAML syntax errors with a position", () => {
    const errors = errorsOf("yaml-syntax.yaml");
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/^\d+:\d+ loader\.yaml_syntax$/);
  });

  it("collects every error instead of stopping at the first", () => {
    expect(errorsOf("many-errors.yaml")).toEqual([
      "2:7 loader.invalid_value",
      "4:10 loader.bad_version",
      "5:1 loader.unknown_key",
      "7:5 loader.missing_field",
      "9:9 loader.duplicate_step_id",
      "10:11 loader.unknown_step_type",
      "14:13 loader.read_only_path",
    ]);
  });

  it("names the cycle and lists the valid step types in messages", () => {
    const cycle = loadWorkflow(fixtureText("loader/invalid/computed-cycle.yaml"));
    expect(!cycle.ok && cycle.errors[0]?.message).toContain("total → doubled → halved → total");
    const unknown = loadWorkflow(fixtureText("loader/invalid/unknown-step-type.yaml"));
    expect(!unknown.ok && unknown.errors[0]?.message).toContain("valid types: user_message, mcp_call");
  });

  it("gives paths in the documented form", () => {
    const result = loadWorkflow(fixtureText("loader/invalid/duplicate-step-id.yaml"));
    expect(!result.ok && result.errors[0]?.path).toBe("steps[1].then_steps[0].id");
  });

  it("hints at the upgrade when a v2 file uses a phase-5 step type", () => {
    const result = loadWorkflow(
      [
        'name: "a:b"',
        'description: "d"',
        'version: "1.0.0"',
        "schema_version: 2",
        "steps:",
        "  - id: s",
        "    type: state_update",
        '    path: "this.x"',
        "    value: 1",
      ].join("\n"),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.message).toContain("use set_state with state_update");
  });
});
