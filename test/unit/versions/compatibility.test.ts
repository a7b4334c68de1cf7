/**
 * The compatibility comparer on an AroMCP-shaped workflow (inputs, state with a computed field,
 * a conditional and a loop, a webhook trigger, a service): each kind of difference and its
 * breaking flag, and the publish rule (previous version, major bump, declared breaking).
 */
import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import type { InputSpec } from "../../../engine/dialect/state.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { compareDefinitions } from "../../../engine/versions/compatibility.ts";
import {
  deprecatedFeatures,
  MAX_DEPRECATED_FEATURES,
  usedDeprecations,
} from "../../../engine/versions/compatibility-deprecations.ts";
import {
  declaresBreaking,
  describeRefusal,
  isMajorBump,
  judgeCompatibility,
  MAX_REPORTED_CHANGES,
  previousVersion,
} from "../../../engine/versions/compatibility-rule.ts";

const V1 = `
name: "code-standards:enforce"
description: "Lint and fix changed files"
version: "1.0.0"
inputs:
  compare_to: { type: string, description: "Branch to diff against", required: false, default: "main" }
  max_attempts: { type: number, required: false, default: 3 }
default_state:
  state: { git_output: "", attempts: 0, results: {} }
state_schema:
  state: { git_output: string, attempts: number, results: object }
  computed:
    changed_files: { from: "this.git_output", transform: "input.split('\\\\n').filter(Boolean)" }
services:
  api: { uses: "http@^1", config: { base_url: "https://example.com" } }
triggers:
  - { id: push, type: webhook, endpoint: /code/push, secret: "{{ env.HOOK_SECRET }}" }
steps:
  - id: get_files
    type: shell_command
    command: "git diff --name-only {{ inputs.compare_to }}"
    state_update: { path: this.git_output, value: stdout }
  - id: check_files
    type: conditional
    condition: "{{ this.changed_files.length > 0 }}"
    then_steps:
      - id: fix_loop
        type: while_loop
        condition: "{{ this.attempts < inputs.max_attempts }}"
        body:
          - { id: lint, type: mcp_call, tool: lint_files, parameters: { files: "{{ this.changed_files }}" } }
          - { id: count, type: set_state, state_update: { path: this.attempts, operation: increment } }
    else_steps:
      - { id: nothing, type: user_message, message: "Nothing to check" }
  - { id: done, type: user_message, message: "Done" }
`;

function load(yaml: string): WorkflowDefinition {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.definition;
}

const v1 = load(V1);
const edit = (pairs: [string, string][], version = "1.1.0") =>
  load(
    pairs.reduce(
      (text, [from, to]) => text.replace(from, to),
      V1.replace('version: "1.0.0"', `version: "${version}"`),
    ),
  );

describe("compareDefinitions", () => {
  it("reports nothing for the same definition", () => {
    expect(compareDefinitions(v1, v1)).toEqual([]);
  });

  it("an optional input added is not breaking; a required one without default is", () => {
    const next = edit([
      ["inputs:\n", "inputs:\n  verbose: { type: boolean, required: false }\n  ticket: { type: string }\n"],
    ]);
    expect(
      compareDefinitions(v1, next).map(({ kind, path, breaking }) => ({ kind, path, breaking })),
    ).toEqual([
      { kind: "input_added", path: "inputs.ticket", breaking: true },
      { kind: "input_added", path: "inputs.verbose", breaking: false },
    ]);
  });

  it("a required input with a default is not breaking", () => {
    const next = edit([["inputs:\n", "inputs:\n  ticket: { type: string, default: none }\n"]]);
    expect(compareDefinitions(v1, next)).toMatchObject([{ kind: "input_added", breaking: false }]);
  });

  it("inputs removed, retyped, or made required without a default break callers", () => {
    const next = edit([
      [
        'compare_to: { type: string, description: "Branch to diff against", required: false, default: "main" }',
        "compare_to: { type: string }",
      ],
      [
        "max_attempts: { type: number, required: false, default: 3 }",
        "attempts_limit: { type: number, required: false }",
      ],
      ["inputs.max_attempts", "inputs.attempts_limit"],
    ]);
    expect(compareDefinitions(v1, next).map(({ kind, path, breaking }) => [kind, path, breaking])).toEqual([
      ["input_added", "inputs.attempts_limit", false],
      ["input_removed", "inputs.max_attempts", true],
      ["input_now_required", "inputs.compare_to", true],
    ]);
    const retyped = edit([
      [
        "max_attempts: { type: number, required: false, default: 3 }",
        'max_attempts: { type: string, required: false, default: "3" }',
      ],
    ]);
    expect(compareDefinitions(v1, retyped)).toMatchObject([
      { kind: "input_retyped", path: "inputs.max_attempts", breaking: true },
    ]);
    const widened = edit([["max_attempts: { type: number", "max_attempts: { type: any"]]);
    expect(compareDefinitions(v1, widened)).toMatchObject([
      { kind: "input_retyped", path: "inputs.max_attempts", breaking: false },
    ]);
  });

  it("state fields removed or retyped, and computed fields removed, break runs in flight", () => {
    const next = edit([
      ['state: { git_output: "", attempts: 0, results: {} }', "state: { git_output: [], attempts: 0 }"],
      ["git_output: string, attempts: number, results: object }", "git_output: array, attempts: number }"],
      [
        '  computed:\n    changed_files: { from: "this.git_output", transform: "input.split(\'\\\\n\').filter(Boolean)" }\n',
        "",
      ],
      ["this.changed_files", "this.git_output"],
      ["this.changed_files", "this.git_output"],
    ]);
    expect(compareDefinitions(v1, next).map(({ kind, path, breaking }) => [kind, path, breaking])).toEqual([
      ["state_removed", "state.results", true],
      ["state_retyped", "state.git_output", true],
      ["computed_removed", "computed.changed_files", true],
    ]);
  });

  it("a step moved to another list, removed, or retyped breaks runs in flight; a step added does not", () => {
    const next = edit([
      [
        "          - { id: count, type: set_state, state_update: { path: this.attempts, operation: increment } }\n",
        "",
      ],
      [
        '  - { id: done, type: user_message, message: "Done" }',
        '  - { id: count, type: set_state, state_update: { path: this.attempts, operation: increment } }\n  - { id: summary, type: user_message, message: "Done" }',
      ],
      [
        '- { id: nothing, type: user_message, message: "Nothing to check" }',
        '- { id: nothing, type: agent_prompt, prompt: "Say nothing was checked" }',
      ],
    ]);
    expect(compareDefinitions(v1, next).map(({ kind, path, breaking }) => [kind, path, breaking])).toEqual([
      ["step_added", "steps.summary", false],
      ["step_removed", "steps.done", true],
      ["step_moved", "steps.count", true],
      ["step_retyped", "steps.nothing", true],
    ]);
    expect(compareDefinitions(v1, next)[2]!.message).toContain("from fix_loop.body to steps");
  });

  it("a webhook trigger's endpoint change breaks senders; a filter change does not; removal breaks", () => {
    const moved = edit([["endpoint: /code/push", "endpoint: /code/pushed"]]);
    expect(compareDefinitions(v1, moved)).toMatchObject([
      { kind: "trigger_changed", path: "triggers.push", breaking: true },
    ]);
    const filtered = edit([["secret:", "filter: \"event.ref === 'main'\", secret:"]]);
    expect(compareDefinitions(v1, filtered)).toMatchObject([{ kind: "trigger_changed", breaking: false }]);
    const removed = edit([
      [
        'triggers:\n  - { id: push, type: webhook, endpoint: /code/push, secret: "{{ env.HOOK_SECRET }}" }\n',
        "",
      ],
    ]);
    expect(compareDefinitions(v1, removed)).toMatchObject([
      { kind: "trigger_removed", path: "triggers.push", breaking: true },
    ]);
  });

  it("services: a new plugin major or another plugin breaks; a new configuration does not", () => {
    const major = edit([['uses: "http@^1"', 'uses: "http@^2"']]);
    expect(compareDefinitions(v1, major).map(({ kind, breaking }) => [kind, breaking])).toEqual([
      ["service_changed", false],
      ["plugin_major_changed", true],
    ]);
    const config = edit([["https://example.com", "https://example.org"]]);
    expect(compareDefinitions(v1, config)).toMatchObject([{ kind: "service_changed", breaking: false }]);
    const other = edit([['uses: "http@^1"', 'uses: "webhook@^1"']]);
    expect(compareDefinitions(v1, other)).toMatchObject([{ kind: "service_changed", breaking: true }]);
  });

  it("publish's resolved plugin versions decide the major when present", () => {
    const resolvedAt = (version: string) => ({
      services: [{ name: "api", plugin: "http", version, config: {} }],
    });
    const before = { ...v1, resolved: resolvedAt("1.4.0") };
    expect(compareDefinitions(before, { ...v1, resolved: resolvedAt("1.9.0") })).toEqual([]);
    expect(compareDefinitions(before, { ...v1, resolved: resolvedAt("2.0.0") })).toMatchObject([
      { kind: "plugin_major_changed", path: "services.api", breaking: true },
    ]);
  });
});

describe("the publish rule", () => {
  it("compares with the newest published version below the one being published", () => {
    expect(previousVersion([], "1.0.0")).toBeUndefined();
    expect(previousVersion(["1.0.0", "2.0.0", "1.2.0"], "1.3.0")).toBe("1.2.0");
    expect(previousVersion(["1.0.0", "2.0.0"], "3.0.0")).toBe("2.0.0");
    expect(previousVersion(["1.0.0"], "0.9.0")).toBeUndefined();
  });

  it("a major bump: a higher major, or a higher minor below 1.0.0", () => {
    expect(isMajorBump("1.4.2", "2.0.0")).toBe(true);
    expect(isMajorBump("1.4.2", "1.5.0")).toBe(false);
    expect(isMajorBump("0.3.1", "0.4.0")).toBe(true);
    expect(isMajorBump("0.3.1", "0.3.2")).toBe(false);
  });

  it("refuses breaking changes on a minor bump unless breaking_changes declares them", () => {
    const next = edit([["inputs:\n", "inputs:\n  ticket: { type: string }\n"]]);
    expect(judgeCompatibility(v1, next).refused).toMatchObject([{ kind: "input_added" }]);
    expect(judgeCompatibility(v1, { ...next, version: "2.0.0" }).refused).toEqual([]);
    const declared = { ...next, breaking_changes: ["ticket is now required"] };
    expect(declaresBreaking(declared)).toBe(true);
    expect(judgeCompatibility(v1, declared).refused).toEqual([]);
    expect(judgeCompatibility(v1, declared).report).toMatchObject({
      against: "1.0.0",
      changes: [{ kind: "input_added" }],
    });
    expect(declaresBreaking({ ...next, breaking_changes: [] })).toBe(false);
  });
});

describe("deprecatedFeatures", () => {
  it("matches bare and qualified names against what the definition has; anything else is free text", () => {
    const features = deprecatedFeatures({
      ...v1,
      deprecated_features: [
        "compare_to",
        "this.attempts",
        "types.shell_command",
        "steps.lint",
        "services.api",
        "triggers.push",
        "computed.changed_files",
        "inputs.gone",
        "the old report",
      ],
    });
    expect(features.map((feature) => feature.names)).toEqual([
      ["input compare_to"],
      ["state field attempts"],
      ["step type shell_command"],
      ["step lint"],
      ["service api"],
      ["trigger push"],
      ["computed field changed_files"],
      [],
      [],
    ]);
    expect(usedDeprecations({ ...v1, deprecated_features: ["the old report", "lint"] })).toMatchObject([
      { index: 1, entry: "lint", targets: [{ space: "steps", name: "lint" }] },
    ]);
  });

  it("examines at most MAX_DEPRECATED_FEATURES entries", () => {
    const many = Array.from({ length: MAX_DEPRECATED_FEATURES + 5 }, (_, index) => `entry ${index}`);
    expect(deprecatedFeatures({ ...v1, deprecated_features: many })).toHaveLength(MAX_DEPRECATED_FEATURES);
  });
});

describe("bounded reports", () => {
  it("a report carries at most MAX_REPORTED_CHANGES differences and a refusal names the first 10", () => {
    const many: Record<string, InputSpec> = Object.fromEntries(
      Array.from({ length: MAX_REPORTED_CHANGES + 20 }, (_, index) => [
        `input${index}`,
        { type: "string", required: true },
      ]),
    );
    const next = { ...v1, version: "1.1.0", inputs: { ...v1.inputs, ...many } };
    const verdict = judgeCompatibility(v1, next);
    expect(verdict.report.changes).toHaveLength(MAX_REPORTED_CHANGES);
    expect(verdict.report.omitted).toBe(20);
    expect(verdict.refused).toHaveLength(MAX_REPORTED_CHANGES + 20);
    const message = describeRefusal("1.0.0", "1.1.0", verdict.refused);
    expect(message.match(/input_added/g)).toHaveLength(10);
    expect(message).toContain(`and ${MAX_REPORTED_CHANGES + 10} more`);
  });
});
