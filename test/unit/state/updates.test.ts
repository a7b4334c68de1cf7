import { describe, expect, it } from "vitest";
import { applyUpdates, type ComputedFieldSpecs, type ResolvedUpdate } from "../../../engine/state/index.ts";
import { createCountingEvaluator } from "./counting-evaluator.ts";
import { stateData } from "./state-data.ts";

const evaluator = createCountingEvaluator();

function apply(updates: ResolvedUpdate[], data = stateData(), computed: ComputedFieldSpecs = {}) {
  return applyUpdates(data, updates, computed, evaluator, {});
}

function update(path: string, operation: ResolvedUpdate["operation"], value?: unknown): ResolvedUpdate {
  return { path, operation, value };
}

describe("applyUpdates: operations", () => {
  it("sets nested paths under this, legacy state/raw and global", () => {
    const { data, errors } = apply([
      update("this.a.b", "set", 1),
      update("state.c", "set", "x"),
      update("raw.d", "set", [1]),
      update("global.g", "set", { k: true }),
    ]);
    expect(errors).toEqual([]);
    expect(data.state).toEqual({ a: { b: 1 }, c: "x", d: [1] });
    expect(data.global).toEqual({ g: { k: true } });
  });

  it("increments and decrements by value, default 1, a missing field counting as 0", () => {
    const start = stateData({ state: { n: 5 } });
    expect(apply([update("this.n", "increment")], start).data.state.n).toBe(6);
    expect(apply([update("this.n", "increment", 10)], start).data.state.n).toBe(15);
    expect(apply([update("this.n", "decrement")], start).data.state.n).toBe(4);
    expect(apply([update("this.n", "decrement", 2.5)], start).data.state.n).toBe(2.5);
    expect(apply([update("this.missing", "increment")], start).data.state.missing).toBe(1);
    expect(apply([update("global.count", "decrement", 3)], start).data.global.count).toBe(-3);
  });

  it("multiplies", () => {
    const start = stateData({ state: { n: 5 } });
    expect(apply([update("this.n", "multiply", 3)], start).data.state.n).toBe(15);
    expect(apply([update("this.n", "multiply", 0.5)], start).data.state.n).toBe(2.5);
  });

  it("appends one element, creating [value] for a missing field", () => {
    const start = stateData({ state: { list: [1] } });
    expect(apply([update("this.list", "append", 2)], start).data.state.list).toEqual([1, 2]);
    expect(apply([update("this.list", "append", [3, 4])], start).data.state.list).toEqual([1, [3, 4]]);
    expect(apply([update("this.fresh", "append", "a")], start).data.state.fresh).toEqual(["a"]);
    expect(start.state.list).toEqual([1]);
  });

  it("merges objects shallowly", () => {
    const start = stateData({ state: { obj: { a: 1, nested: { x: 1 } } } });
    const merged = apply([update("this.obj", "merge", { b: 2, nested: { y: 2 } })], start).data.state.obj;
    expect(merged).toEqual({ a: 1, b: 2, nested: { y: 2 } });
    expect(apply([update("this.fresh", "merge", { a: 1 })], start).data.state.fresh).toEqual({ a: 1 });
  });

  it("applies updates in order, later ones seeing earlier ones", () => {
    const { data } = apply([
      update("this.n", "set", 2),
      update("this.n", "increment", 3),
      update("this.n", "multiply", 10),
      update("this.list", "append", 1),
      update("this.list", "append", 2),
    ]);
    expect(data.state).toEqual({ n: 50, list: [1, 2] });
  });

  it("treats a missing operation as set", () => {
    const { data } = apply([{ path: "this.x", value: 1 } as ResolvedUpdate]);
    expect(data.state.x).toBe(1);
  });

  it("returns the same data for no updates", () => {
    const start = stateData({ state: { a: 1 } });
    expect(apply([], start).data).toBe(start);
  });
});

describe("applyUpdates: errors are all or nothing", () => {
  const start = stateData({
    inputs: { file: "a.ts" },
    state: { n: 1, s: "text", list: [1], obj: { a: 1 }, big: Number.MAX_VALUE },
  });

  const cases: [string, ResolvedUpdate, string][] = [
    ["increment a string", update("this.s", "increment", 1), "state.type_mismatch"],
    ["decrement an object", update("this.obj", "decrement"), "state.type_mismatch"],
    ["multiply an array", update("this.list", "multiply", 2), "state.type_mismatch"],
    ["increment by a string", update("this.n", "increment", "2"), "state.type_mismatch"],
    ["increment by NaN", update("this.n", "increment", Number.NaN), "state.type_mismatch"],
    ["overflow to Infinity", update("this.big", "multiply", 10), "state.type_mismatch"],
    ["append to a string", update("this.s", "append", 1), "state.type_mismatch"],
    ["merge into an array", update("this.list", "merge", { a: 1 }), "state.type_mismatch"],
    ["merge a non-object", update("this.obj", "merge", [1]), "state.type_mismatch"],
    ["merge null", update("this.obj", "merge", null), "state.type_mismatch"],
    ["unknown operation", update("this.n", "divide" as never, 2), "state.invalid_operation"],
    ["write an input", update("inputs.file", "set", 1), "state.read_only"],
    ["write raw of an input", update("raw.file", "set", 1), "state.read_only"],
    ["write loop", update("loop.item", "set", 1), "state.read_only"],
    ["write env", update("env.TOKEN", "set", 1), "expression.env_not_allowed"],
    ["write a computed field", update("computed.doubled", "set", 1), "state.read_only"],
    ["write a computed field under this", update("this.doubled", "set", 1), "state.read_only"],
    ["unknown scope", update("counter", "set", 1), "state.unknown_scope"],
    ["prototype segment", update("this.__proto__.x", "set", 1), "state.forbidden_key"],
    ["constructor segment", update("this.obj.constructor", "set", 1), "state.forbidden_key"],
    ["write through a string", update("this.s.x", "set", 1), "state.type_mismatch"],
  ];

  for (const [name, failing, code] of cases) {
    it(`${name} → ${code}, original data returned`, () => {
      const result = applyUpdates(
        start,
        [update("this.n", "increment", 100), failing, update("global.after", "set", 1)],
        { doubled: { from: "this.n", transform: "input * 2" } },
        evaluator,
      );
      expect(result.errors.map((error) => error.code)).toEqual([code]);
      expect(result.data).toBe(start);
    });
  }

  it("puts the failing path in the error without echoing the value", () => {
    const secretish = stateData({ state: { token: "sk-live-0123456789" } });
    const { errors } = apply([update("this.token", "increment", 1)], secretish);
    expect(errors[0]?.path).toBe("this.token");
    expect(errors[0]?.message).toContain("this.token");
    expect(errors[0]?.message).not.toContain("sk-live");
  });
});

describe("applyUpdates: prototype pollution", () => {
  const poisoned = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;

  it("refuses values that carry a __proto__ key, at any depth, for set, merge and append", () => {
    for (const [operation, value] of [
      ["set", poisoned],
      ["set", { nested: [poisoned] }],
      ["merge", poisoned],
      ["append", poisoned],
    ] as const) {
      const result = apply([update("this.target", operation, value)]);
      expect(
        result.errors.map((error) => error.code),
        operation,
      ).toEqual(["state.forbidden_key"]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps constructor and prototype as plain own keys inside values", () => {
    const value = { constructor: { params: ["a"] }, prototype: "word" };
    const { data, errors } = apply([
      update("this.analysis", "set", value),
      update("this.merged", "merge", value),
    ]);
    expect(errors).toEqual([]);
    expect(data.state.merged).toEqual(value);
    expect(Object.getPrototypeOf(data.state.merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).params).toBeUndefined();
  });
});

describe("applyUpdates: computed fields", () => {
  const computed: ComputedFieldSpecs = {
    doubled: { from: "this.counter", transform: "input * 2" },
    failing: { from: "this.counter", transform: "input.nope.deeper", on_error: "propagate" },
  };

  it("recomputes after the updates", () => {
    const { data, errors } = applyUpdates(
      stateData({ state: { counter: 1 } }),
      [update("this.counter", "set", 5)],
      { doubled: computed.doubled! },
      evaluator,
    );
    expect(errors).toEqual([]);
    expect(data.computed.doubled).toBe(10);
  });

  it("rolls back and reports state.computed_failed naming the field when a propagate field fails", () => {
    const start = stateData({ state: { counter: 1 } });
    const { data, errors } = applyUpdates(start, [update("this.counter", "set", 5)], computed, evaluator);
    expect(data).toBe(start);
    expect(errors.map((error) => error.code)).toEqual(["state.computed_failed"]);
    expect(errors[0]?.message).toContain("failing");
    expect(errors[0]?.path).toBe("state_schema.computed.failing");
  });
});
