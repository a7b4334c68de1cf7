import { describe, expect, it } from "vitest";
import { initState, type StateInitSpec } from "../../../engine/state/index.ts";
import { createCountingEvaluator } from "./counting-evaluator.ts";

const evaluator = createCountingEvaluator();

function codes(spec: StateInitSpec, given: Record<string, unknown>): string[] {
  return initState(spec, given, evaluator).errors.map((error) => error.code);
}

describe("initState: inputs", () => {
  const optionsDefault = { deep: { x: 1 } };
  const spec: StateInitSpec = {
    inputs: {
      file: { type: "string", description: "the file" },
      limit: { type: "number", required: false, default: 10 },
      verbose: { type: "boolean", required: false },
      tags: "array",
      options: { type: "object", default: optionsDefault },
      anything: { type: "any", required: false },
    },
    default_state: { inputs: { tags: ["default"], limit: 99, from_state_defaults: "d" } },
  };

  it("applies given values, then inputs.*.default, then default_state.inputs", () => {
    const { data, errors } = initState(spec, { file: "a.ts" }, evaluator);
    expect(errors).toEqual([]);
    expect(data.inputs).toEqual({
      file: "a.ts",
      limit: 10,
      tags: ["default"],
      options: { deep: { x: 1 } },
      from_state_defaults: "d",
    });
    expect(initState(spec, { file: "a", limit: 3, tags: [] }, evaluator).data.inputs).toMatchObject({
      limit: 3,
      tags: [],
    });
  });

  it("copies defaults so runs never share them with the definition", () => {
    const { data } = initState(spec, { file: "a.ts" }, evaluator);
    expect(data.inputs.options).toEqual(optionsDefault);
    expect(data.inputs.options).not.toBe(optionsDefault);
  });

  it("reports every missing required input in one state.missing_input", () => {
    const { errors } = initState(
      { inputs: { a: "string", b: { type: "number" }, c: { required: false } } },
      {},
      evaluator,
    );
    expect(errors.map((error) => error.code)).toEqual(["state.missing_input"]);
    expect(errors[0]?.message).toContain("a, b");
  });

  it("reports unknown inputs", () => {
    const { errors } = initState(spec, { file: "a", typo: 1, other: 2 }, evaluator);
    expect(errors.map((error) => error.code)).toEqual(["state.unknown_input"]);
    expect(errors[0]?.message).toContain("typo, other");
    expect(codes({}, { x: 1 })).toEqual(["state.unknown_input"]);
  });

  it("checks basic types with state.invalid_input", () => {
    expect(codes(spec, { file: 1 })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", limit: "10" })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", limit: Number.NaN })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", verbose: "yes" })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", tags: {} })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", options: [] })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", options: null })).toEqual(["state.invalid_input"]);
    expect(codes(spec, { file: "a", anything: null, verbose: false })).toEqual([]);
    const invalid = initState(spec, { file: 1 }, evaluator).errors[0];
    expect(invalid?.path).toBe("inputs.file");
    expect(invalid?.message).toBe("input file must be a string, got a number");
  });

  it("reports all kinds of errors together", () => {
    expect(codes(spec, { limit: "x", nope: 1 }).sort()).toEqual([
      "state.invalid_input",
      "state.missing_input",
      "state.unknown_input",
    ]);
  });

  it("treats an undefined given value as not given", () => {
    expect(initState(spec, { file: "a", limit: undefined }, evaluator).data.inputs.limit).toBe(10);
  });

  it("refuses __proto__ keys in inputs and default state", () => {
    const poisoned = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(codes({ inputs: { o: "object" } }, { o: poisoned })).toEqual(["state.forbidden_key"]);
    expect(codes({ default_state: { state: { x: poisoned } } }, {})).toEqual(["state.forbidden_key"]);
    const declaresProto = JSON.parse('{"__proto__": "string", "constructor": "string"}');
    expect(codes({ inputs: declaresProto }, { constructor: "x" })).toEqual([
      "state.forbidden_key",
      "state.forbidden_key",
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("initState: state and computed fields", () => {
  it("deep-copies default_state.state and global, then computes computed fields", () => {
    const spec: StateInitSpec = {
      inputs: { git_output: "string" },
      default_state: { state: { counter: 5, nested: { list: [1] } }, global: { total: 0 } },
      state_schema: {
        computed: {
          doubled: { from: "this.counter", transform: "input * 2" },
          files: { from: "inputs.git_output", transform: "input.split('\\n').filter(l => l.trim() !== '')" },
          count: { from: "this.files", transform: "input.length" },
        },
      },
    };
    const { data, errors } = initState(spec, { git_output: "a.ts\n\nb.ts\n" }, evaluator);
    expect(errors).toEqual([]);
    expect(data.state).toEqual({ counter: 5, nested: { list: [1] } });
    expect(data.state.nested).not.toBe(spec.default_state?.state?.nested);
    expect(data.global).toEqual({ total: 0 });
    expect(data.computed).toEqual({ doubled: 10, files: ["a.ts", "b.ts"], count: 2 });
    expect(Object.keys(data.computedInputs).sort()).toEqual(["count", "doubled", "files"]);
  });

  it("starts empty without a spec", () => {
    expect(initState({}, {}, evaluator)).toEqual({
      data: { inputs: {}, state: {}, global: {}, computed: {}, computedInputs: {} },
      errors: [],
    });
  });

  it("passes the context to computed fields and reports propagate failures", () => {
    const spec: StateInitSpec = {
      state_schema: {
        computed: {
          retries: { from: "config.retries" },
          broken: { from: "this.nothing", transform: "input.x", on_error: "propagate" },
        },
      },
    };
    const { data, errors } = initState(spec, {}, evaluator, { config: { retries: 3 } });
    expect(data.computed.retries).toBe(3);
    expect(errors.map((error) => error.code)).toEqual(["state.computed_failed"]);
  });

  it("does not compute when the inputs are wrong", () => {
    const counting = createCountingEvaluator();
    const spec: StateInitSpec = {
      inputs: { n: "number" },
      state_schema: { computed: { doubled: { from: "inputs.n", transform: "input * 2" } } },
    };
    initState(spec, {}, counting);
    expect(counting.sources).toEqual([]);
  });
});

describe("initState: types state_schema declares", () => {
  it("checks an input against state_schema.inputs as well as its own type (AroMCP declares both)", () => {
    const spec: StateInitSpec = {
      inputs: { project_path: { description: "the project" } },
      state_schema: { inputs: { project_path: "string" } },
    };
    const { errors } = initState(spec, { project_path: { path: "/repo" } }, evaluator);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["state.invalid_input", "input project_path must be a string, got an object"],
    ]);
    expect(initState(spec, { project_path: "/repo" }, evaluator).errors).toEqual([]);
  });

  it("refuses a default_state.state field that does not fit state_schema.state; null fits", () => {
    const spec: StateInitSpec = {
      default_state: { state: { lint_issues: {}, lint_tool_output: null } },
      state_schema: { state: { lint_issues: "array", lint_tool_output: "object" } },
    };
    expect(initState(spec, {}, evaluator).errors).toEqual([
      expect.objectContaining({ code: "state.type_mismatch", path: "default_state.state.lint_issues" }),
    ]);
  });
});
