/**
 * A default that does not fit its declared type is refused when the file is loaded (validate and
 * publish), at the default's line and column: `default_state.state` against `state_schema.state`
 * (null fits), and input defaults against the input's type, in the workflow and its sub-agent tasks.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const HEAD = `name: "types:defaults"\ndescription: "x"\nversion: "1.0.0"\n`;
const STEPS = `steps:\n  - {id: hello, type: user_message, message: hi}\n`;

function errorsOf(yaml: string) {
  const result = loadWorkflow(yaml);
  if (result.ok) throw new Error("the file was accepted");
  return result.errors.map((error) => `${error.line}:${error.column} ${error.code} ${error.message}`);
}

describe("defaults against declared types", () => {
  it("refuses a default_state field of another type, at its line:column", () => {
    const yaml = `${HEAD}default_state:\n  state:\n    lint_issues: {data: {issues: []}}\n    done: null\nstate_schema:\n  state:\n    lint_issues: array\n    done: boolean\n${STEPS}`;
    expect(errorsOf(yaml)).toEqual([
      "6:18 loader.invalid_type this.lint_issues is declared array; its default is an object with key data",
    ]);
  });

  it("refuses input defaults of another type, and checks sub-agent tasks too", () => {
    const yaml = `${HEAD}inputs:\n  retries: {type: number, default: "3"}\nstate_schema:\n  inputs: {label: string}\ndefault_state:\n  inputs: {label: 7}\nsub_agent_tasks:\n  t:\n    description: d\n    default_state: {state: {count: "0"}}\n    state_schema: {state: {count: number}}\n    steps:\n      - {id: inner, type: user_message, message: hi}\n${STEPS}`;
    expect(errorsOf(yaml)).toEqual([
      "5:36 loader.invalid_type the default of input retries must be a number, got a string",
      "9:19 loader.invalid_type the default of input label must be a string, got a number",
      "13:36 loader.invalid_type this.count is declared number; its default is a string",
    ]);
  });

  it("accepts AroMCP's own files, whose defaults fit (null for an object not set yet)", () => {
    for (const name of [
      "code-standards-enforce.yaml",
      "test-agent-communication.yaml",
      "analyze-dependencies.yaml",
    ]) {
      const text = readFileSync(new URL(`../../fixtures/aromcp/${name}`, import.meta.url), "utf8");
      expect(loadWorkflow(text).ok, name).toBe(true);
    }
  });
});
