import { describe, expect, it } from "vitest";
import {
  applyUpdates,
  type ComputedFieldSpecs,
  computedFieldOrder,
  type EvaluationContext,
  recompute,
  type StateData,
} from "../../../engine/state/index.ts";
import { createCountingEvaluator } from "./counting-evaluator.ts";
import { stateData } from "./state-data.ts";

function codeOf(run: () => unknown): { code?: string; message?: string } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return {};
}

function computeWith(specs: ComputedFieldSpecs, data: StateData, context: EvaluationContext = {}) {
  const evaluator = createCountingEvaluator();
  return { ...recompute(data, specs, evaluator, context), evaluator };
}

describe("computedFieldOrder", () => {
  it("puts every field after the computed fields it reads, else in declaration order", () => {
    const specs: ComputedFieldSpecs = {
      summary: { from: ["this.count", "computed.has_files"] },
      count: { from: "this.files_clean", transform: "input.length" },
      unrelated: { from: "inputs.x" },
      files_clean: { from: "state.files" },
      has_files: { from: "{{ count > 0 }}" },
    };
    expect(computedFieldOrder(specs)).toEqual(["files_clean", "count", "has_files", "summary", "unrelated"]);
  });

  it("throws state.computed_cycle naming the cycle", () => {
    const error = codeOf(() =>
      computedFieldOrder({ a: { from: "this.b" }, b: { from: ["this.c"] }, c: { from: "computed.a" } }),
    );
    expect(error.code).toBe("state.computed_cycle");
    expect(error.message).toContain("a → b → c → a");
    expect(codeOf(() => computedFieldOrder({ self: { from: "{{ self + 1 }}" } })).code).toBe(
      "state.computed_cycle",
    );
  });

  it("does not mistake names in string literals or property accesses for dependencies", () => {
    const specs: ComputedFieldSpecs = {
      a: { from: "{{ inputs.b + 'b' + \"b\" + `b` + /b/.source }}" },
      b: { from: "{{ this.x.a + global.a }}" },
    };
    expect(computedFieldOrder(specs)).toEqual(["a", "b"]);
  });

  it("finds dependencies in every template of a from, through this, computed, state and raw", () => {
    const specs: ComputedFieldSpecs = {
      all: { from: ["{{ this.a }}", "{{ computed?.b }} and {{ state.c + raw.d }}", "{{ e }}"] },
      a: { from: "this.x" },
      b: { from: "this.x" },
      c: { from: "this.x" },
      d: { from: "this.x" },
      e: { from: "this.x" },
    };
    expect(computedFieldOrder(specs)).toEqual(["a", "b", "c", "d", "e", "all"]);
  });

  it("refuses prototype keys as field names", () => {
    const specs = JSON.parse('{"__proto__": {"from": "this.x"}}') as ComputedFieldSpecs;
    expect(codeOf(() => computedFieldOrder(specs)).code).toBe("state.forbidden_key");
    expect(codeOf(() => computedFieldOrder({ constructor: { from: "this.x" } })).code).toBe(
      "state.forbidden_key",
    );
  });

  it("rejects bad from paths", () => {
    expect(codeOf(() => computedFieldOrder({ a: { from: "counter" } })).code).toBe("state.unknown_scope");
    expect(codeOf(() => computedFieldOrder({ a: { from: "this.a..b" } })).code).toBe("state.invalid_path");
    expect(codeOf(() => computedFieldOrder({ a: { from: "{{ x " } })).code).toBe("template.unclosed");
  });
});

describe("recompute: inputs", () => {
  it("gives a single from the value itself: this.counter 5 with input * 2 is 10, not [5, 5]", () => {
    const { data } = computeWith(
      { doubled: { from: "this.counter", transform: "input * 2" } },
      stateData({ state: { counter: 5 } }),
    );
    expect(data.computed.doubled).toBe(10);
  });

  it("gives a list an array, even a list of one", () => {
    const { data } = computeWith(
      {
        one: { from: ["this.counter"] },
        one_doubled: { from: ["this.counter"], transform: "input.map(x => x * 2)" },
        two: { from: ["this.counter", "inputs.limit"], transform: "input[0] < input[1]" },
      },
      stateData({ state: { counter: 5 }, inputs: { limit: 3 } }),
    );
    expect(data.computed.one).toEqual([5]);
    expect(data.computed.one_doubled).toEqual([10]);
    expect(data.computed.two).toBe(false);
  });

  it("reads legacy roots, global, inputs, config, event and {{ }} templates", () => {
    const { data } = computeWith(
      {
        legacy_raw: { from: "raw.counter" },
        legacy_input: { from: "raw.file" },
        legacy_state: { from: "state.counter" },
        total: { from: "global.total" },
        file: { from: "inputs.file" },
        retries: { from: "config.retries" },
        kind: { from: "event.kind" },
        is_ts: { from: "{{ file }}", transform: "input.endsWith('.ts')" },
        mixed: { from: ["loop.iteration", "{{ max_attempts }}", "this.counter"] },
      },
      stateData({ state: { counter: 5, max_attempts: 3 }, inputs: { file: "a.ts" }, global: { total: 7 } }),
      { config: { retries: 2 }, event: { kind: "push" }, loop: { iteration: 1 } },
    );
    expect(data.computed).toEqual({
      legacy_raw: 5,
      legacy_input: "a.ts",
      legacy_state: 5,
      total: 7,
      file: "a.ts",
      retries: 2,
      kind: "push",
      is_ts: true,
      mixed: [1, 3, 5],
    });
  });

  it("renders a mixed template to a string, keeping the type of a sole {{ }}", () => {
    const { data } = computeWith(
      {
        label: { from: "attempt {{ loop.iteration }} of {{ max_attempts }}" },
        typed: { from: "  {{ [max_attempts] }}  " },
        braces: { from: "{{ ({ a: { b: max_attempts } }) }}" },
      },
      stateData({ state: { max_attempts: 3 } }),
      { loop: { iteration: 2 } },
    );
    expect(data.computed).toEqual({ label: "attempt 2 of 3", typed: [3], braces: { a: { b: 3 } } });
  });

  it("without a transform stores the input; a missing path gives undefined input", () => {
    const { data } = computeWith(
      { copy: { from: "this.obj" }, missing: { from: "this.nothing", transform: "input === undefined" } },
      stateData({ state: { obj: { a: 1 } } }),
    );
    expect(data.computed.copy).toEqual({ a: 1 });
    expect(data.computed.missing).toBe(true);
  });

  it("lets a transform see the normal scopes and a statement body", () => {
    const { data } = computeWith(
      {
        scoped: { from: "this.counter", transform: "input + inputs.offset + this.counter" },
        body: { from: "this.counter", transform: "const x = input * 3;\nreturn x + 1;" },
      },
      stateData({ state: { counter: 2 }, inputs: { offset: 100 } }),
    );
    expect(data.computed.scoped).toBe(104);
    expect(data.computed.body).toBe(7);
  });
});

describe("recompute: cascades and change detection", () => {
  const specs: ComputedFieldSpecs = {
    files_clean: { from: "this.files", transform: "input.filter(f => f.trim() !== '')" },
    count: { from: "this.files_clean", transform: "input.length" },
    has_files: { from: "computed.count", transform: "input > 0" },
    summary: { from: ["this.count", "this.has_files"], transform: "input[0] + ':' + input[1]" },
  };

  it("computes computed-from-computed in dependency order", () => {
    const { data } = computeWith(specs, stateData({ state: { files: ["a", " ", "b"] } }));
    expect(data.computed).toEqual({ files_clean: ["a", "b"], count: 2, has_files: true, summary: "2:true" });
  });

  it("reruns a transform only when its inputs changed", () => {
    const evaluator = createCountingEvaluator();
    const first = recompute(stateData({ state: { files: ["a"], other: 1 } }), specs, evaluator);
    expect(evaluator.sources).toHaveLength(4);

    const same = recompute({ ...first.data, state: { ...first.data.state, other: 2 } }, specs, evaluator);
    expect(evaluator.sources).toHaveLength(4);
    expect(same.data.computed).toBe(first.data.computed);

    // files changes, but files_clean has the same JSON: count, has_files, summary are not rerun
    recompute({ ...first.data, state: { ...first.data.state, files: ["a", " "] } }, specs, evaluator);
    expect(evaluator.sources).toHaveLength(5);

    const changed = recompute({ ...first.data, state: { files: ["a", "b"] } }, specs, evaluator);
    expect(evaluator.sources).toHaveLength(9);
    expect(changed.data.computed.summary).toBe("2:true");
  });

  it("returns the very same data when nothing changed", () => {
    const evaluator = createCountingEvaluator();
    const first = recompute(stateData({ state: { files: ["a"] } }), specs, evaluator);
    expect(recompute(first.data, specs, evaluator).data).toBe(first.data);
  });

  it("stores fingerprints, not copies of inputs", () => {
    const { data } = computeWith(
      { token_length: { from: "inputs.token", transform: "input.length" } },
      stateData({ inputs: { token: "sk-very-secret-value" } }),
    );
    expect(data.computed.token_length).toBe(20);
    expect(JSON.stringify(data.computedInputs)).not.toContain("sk-very-secret-value");
  });

  it("recomputes when the definition of a field changes", () => {
    const first = computeWith(
      { f: { from: "this.n", transform: "input + 1" } },
      stateData({ state: { n: 1 } }),
    );
    const second = computeWith({ f: { from: "this.n", transform: "input + 2" } }, first.data);
    expect(second.data.computed.f).toBe(3);
  });

  it("does not mutate its input", () => {
    const start = stateData({ state: { files: ["a"] } });
    const frozen = JSON.stringify(start);
    computeWith(specs, start);
    expect(JSON.stringify(start)).toBe(frozen);
  });
});

describe("recompute: loop-dependent fields", () => {
  const specs: ComputedFieldSpecs = {
    can_continue: {
      from: ["loop.iteration", "{{ max_attempts }}", "this.done"],
      transform: "input[0] < input[1] && !input[2]",
    },
    current_item: { from: "loop.item", transform: "input === undefined ? null : input.toUpperCase()" },
  };

  it("follows the loop context of each call", () => {
    const evaluator = createCountingEvaluator();
    let data = stateData({ state: { max_attempts: 3, done: false } });
    const seen: unknown[] = [];
    for (let iteration = 1; iteration <= 4; iteration++) {
      data = recompute(data, specs, evaluator, { loop: { iteration, item: `f${iteration}` } }).data;
      seen.push([data.computed.can_continue, data.computed.current_item]);
    }
    expect(seen).toEqual([
      [true, "F1"],
      [true, "F2"],
      [false, "F3"],
      [false, "F4"],
    ]);
    data = recompute(data, specs, evaluator, {}).data;
    expect(data.computed.current_item).toBeNull();
  });
});

describe("recompute: on_error", () => {
  const failing = "input.missing.deeper";

  it("use_fallback (the default) stores fallback, null when none is given", () => {
    const { data, errors } = computeWith(
      {
        with_fallback: { from: "this.x", transform: failing, fallback: 0 },
        explicit: { from: "this.x", transform: failing, on_error: "use_fallback", fallback: [] },
        no_fallback: { from: "this.x", transform: failing },
      },
      stateData({ state: { x: {} } }),
    );
    expect(errors).toEqual([]);
    expect(data.computed).toEqual({ with_fallback: 0, explicit: [], no_fallback: null });
  });

  it("ignore keeps the previous value (null when there is none)", () => {
    const specs: ComputedFieldSpecs = { f: { from: "this.x", transform: "input.a.b", on_error: "ignore" } };
    const evaluator = createCountingEvaluator();
    const first = recompute(stateData({ state: { x: { a: { b: 7 } } } }), specs, evaluator);
    expect(first.data.computed.f).toBe(7);
    const broken = recompute({ ...first.data, state: { x: {} } }, specs, evaluator);
    expect(broken.errors).toEqual([]);
    expect(broken.data.computed.f).toBe(7);
    expect(recompute(stateData({ state: { x: {} } }), specs, evaluator).data.computed.f).toBeNull();
  });

  it("propagate keeps the previous value and reports state.computed_failed with the field name", () => {
    const specs: ComputedFieldSpecs = {
      f: { from: "this.x", transform: "input.a.b", on_error: "propagate" },
    };
    const evaluator = createCountingEvaluator();
    const first = recompute(stateData({ state: { x: { a: { b: 7 } } } }), specs, evaluator);
    const broken = recompute({ ...first.data, state: { x: {} } }, specs, evaluator);
    expect(broken.errors.map((error) => [error.code, error.path])).toEqual([
      ["state.computed_failed", "state_schema.computed.f"],
    ]);
    expect(broken.errors[0]?.message).toContain('"f"');
    expect(broken.data.computed.f).toBe(7);
    // not remembered as done: the same inputs fail again
    expect(recompute(broken.data, specs, evaluator).errors).toHaveLength(1);
  });

  it("applies on_error to a failing {{ }} source and retries it next time", () => {
    const specs: ComputedFieldSpecs = { f: { from: "{{ this.x.a.b }}", fallback: "fb" } };
    const evaluator = createCountingEvaluator();
    const broken = recompute(stateData({ state: { x: {} } }), specs, evaluator);
    expect(broken.data.computed.f).toBe("fb");
    const fixed = recompute({ ...broken.data, state: { x: { a: { b: 1 } } } }, specs, evaluator);
    expect(fixed.data.computed.f).toBe(1);
  });

  it("treats a result with a __proto__ key as a failure", () => {
    // A stub, not the sandbox: the sandbox refuses `__proto__` itself, this proves recompute does too.
    const poisoning = {
      evaluate: () => JSON.parse('{"__proto__": {"polluted": 1}}') as unknown,
      check() {},
      ready: async () => {},
      pollsUsed: 0,
      dispose() {},
    };
    const specs: ComputedFieldSpecs = { f: { from: "this.x", transform: "anything", fallback: "fb" } };
    const { data } = recompute(stateData({ state: { x: 1 } }), specs, poisoning);
    expect(data.computed.f).toBe("fb");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a failed dependency feeds its fallback to dependents", () => {
    const { data } = computeWith(
      {
        a: { from: "this.x", transform: failing, fallback: 0 },
        b: { from: "this.a", transform: "input + 1" },
      },
      stateData({ state: { x: {} } }),
    );
    expect(data.computed).toEqual({ a: 0, b: 1 });
  });
});

describe("recompute with applyUpdates", () => {
  it("keeps a computed field in step with every update", () => {
    const specs: ComputedFieldSpecs = { doubled: { from: "this.counter", transform: "input * 2" } };
    const evaluator = createCountingEvaluator();
    let data = recompute(stateData({ state: { counter: 0 } }), specs, evaluator).data;
    for (let i = 0; i < 3; i++) {
      data = applyUpdates(
        data,
        [{ path: "this.counter", operation: "increment", value: 1 }],
        specs,
        evaluator,
      ).data;
    }
    expect(data.computed.doubled).toBe(6);
  });
});
