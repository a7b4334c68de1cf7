/**
 * @module
 * The dialect's bounds on what an agent's answers depend on (issue 12): durations at most
 * 1 year, re-asks at most 10, answer shapes the checker can read (a JSON type, field names,
 * nested shapes at most 8 levels, no templates). Each is refused at load with its line:column.
 */
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const HEAD = `name: "t:bounds"\ndescription: d\nversion: "1.0.0"\n`;

function errorsOf(yaml: string): string[] {
  const result = loadWorkflow(yaml);
  if (result.ok) return [];
  return result.errors.map((error) => `${error.line}:${error.column} ${error.code} ${error.message}`);
}

const promptWith = (shape: string, more = "") =>
  `${HEAD}steps:\n  - id: ask\n    type: agent_prompt\n    prompt: p\n    expected_response: ${shape}\n${more}`;

describe("durations are at most 1 year", () => {
  it("refuses a wait_step of 1e300 seconds at its line and column", () => {
    const errors = errorsOf(`${HEAD}steps:\n  - id: nap\n    type: wait_step\n    seconds: 1e300\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^7:14 loader\.\w+ .*31536000/);
  });

  it("refuses retry_delay and max_delay past 1 year, and a run timeout past it", () => {
    const yaml = `${HEAD}config:\n  timeout_seconds: 1e12\nsteps:\n  - id: lint\n    type: mcp_call\n    tool: t\n    error_handling: {strategy: retry, retry_delay: 1e300, max_delay: 1e300}\n`;
    const errors = errorsOf(yaml);
    expect(errors.map((error) => error.split(" ")[0])).toEqual(["5:20", "10:52", "10:70"]);
  });

  it("accepts exactly 1 year", () => {
    expect(errorsOf(`${HEAD}steps:\n  - id: nap\n    type: wait_step\n    seconds: 31536000\n`)).toEqual([]);
  });
});

describe("re-asks are at most 10", () => {
  it("refuses max_retries 11 on a shaped step and on user_input", () => {
    expect(errorsOf(promptWith("{type: object}", "    max_retries: 11\n"))[0]).toMatch(/^9:18 .*at most 10/);
    const input = `${HEAD}steps:\n  - id: ask\n    type: user_input\n    prompt: p\n    max_retries: 1000\n`;
    expect(errorsOf(input)[0]).toMatch(/^8:18 .*at most 10/);
    expect(errorsOf(promptWith("{type: object}", "    max_retries: 10\n"))).toEqual([]);
  });
});

describe("answer shapes are checked at load", () => {
  it("refuses required that is not a list of field names", () => {
    const errors = errorsOf(promptWith("{type: object, required: 5}"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^8:\d+ loader\.invalid_type/);
  });

  it("refuses an unknown type, also in a nested property and in items", () => {
    expect(errorsOf(promptWith("{type: obj}"))[0]).toMatch(/^8:\d+ /);
    const nested = promptWith(
      "\n      type: object\n      properties:\n        a:\n          type: array\n          items: {type: strin}\n",
    );
    expect(errorsOf(nested)[0]).toMatch(/^13:\d+ /);
  });

  it("refuses a response_schema with properties that are not shapes", () => {
    const yaml = `${HEAD}steps:\n  - id: r\n    type: agent_response\n    response_schema: {type: object, properties: {a: 3}}\n`;
    expect(errorsOf(yaml)[0]).toMatch(/^7:\d+ /);
  });

  it("refuses a shape nested deeper than 8 levels", () => {
    let shape = "{type: string}";
    for (let level = 0; level < 9; level++) shape = `{type: object, properties: {a: ${shape}}}`;
    expect(errorsOf(promptWith(shape))[0]).toMatch(/^8:\d+ .*at most 8 levels/);
    let eight = "{type: string}";
    for (let level = 0; level < 8; level++) eight = `{type: object, properties: {a: ${eight}}}`;
    expect(errorsOf(promptWith(eight))).toEqual([]);
  });

  it("refuses templates anywhere in a shape (it is checked as written)", () => {
    const errors = errorsOf(promptWith('{type: object, required: ["{{ this.field }}"]}'));
    expect(errors[0]).toMatch(/^8:\d+ .*templates/);
  });

  it("keeps other JSON Schema keywords (description, enum, example)", () => {
    const shape =
      "{type: object, description: d, properties: {k: {type: string, enum: [a, b]}}, example: {k: a}}";
    expect(errorsOf(promptWith(shape))).toEqual([]);
  });
});
