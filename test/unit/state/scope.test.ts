import { describe, expect, it } from "vitest";
import { buildBindings, isBindableBareName, readPath } from "../../../engine/state/index.ts";
import { stateData } from "./state-data.ts";

describe("buildBindings", () => {
  const data = stateData({
    inputs: { file: "a.ts", shared: "from inputs" },
    state: { counter: 5, shared: "from state", only_state: 1, doubled: "stale state value" },
    global: { total: 9, shared: "from global" },
    computed: { doubled: 10 },
  });

  it("binds every scope", () => {
    const bindings = buildBindings(data, {
      loop: { item: "x", index: 2, iteration: 3 },
      config: { retries: 2 },
      event: { type: "push" },
      tasks: { build: { result: 1 } },
    });
    expect(bindings.this).toEqual({ counter: 5, shared: "from state", only_state: 1, doubled: 10 });
    expect(bindings.state).toBe(data.state);
    expect(bindings.computed).toBe(data.computed);
    expect(bindings.global).toBe(data.global);
    expect(bindings.inputs).toBe(data.inputs);
    expect(bindings.raw).toEqual({ ...(bindings.this as object), file: "a.ts", shared: "from inputs" });
    expect(bindings.loop).toEqual({ item: "x", index: 2, iteration: 3 });
    expect(bindings.config).toEqual({ retries: 2 });
    expect(bindings.event).toEqual({ type: "push" });
    expect(bindings.tasks).toEqual({ build: { result: 1 } });
  });

  it("gives empty objects for absent context scopes", () => {
    const bindings = buildBindings(data);
    expect(bindings.loop).toEqual({});
    expect(bindings.config).toEqual({});
    expect(bindings.event).toEqual({});
    expect(bindings.tasks).toEqual({});
  });

  it("never binds env: secrets are not a scope, and a field or local named env does not stand in", () => {
    const withEnvField = stateData({
      inputs: { env: "input" },
      state: { env: "field" },
      global: { env: "g" },
    });
    const bindings = buildBindings(withEnvField, {
      locals: { env: "local" },
      loop: { names: { env: "loop" } },
    });
    expect(Object.hasOwn(bindings, "env")).toBe(false);
    expect((bindings.this as Record<string, unknown>).env).toBe("field");
    expect((bindings.inputs as Record<string, unknown>).env).toBe("input");
  });

  it("resolves bare names: locals, loop, computed, inputs, state, global", () => {
    const bindings = buildBindings(data, {
      loop: { item: "the item", index: 0, names: { file_name: "custom" } },
      locals: { result: "r", task_id: "t.item0" },
    });
    expect(bindings.result).toBe("r");
    expect(bindings.task_id).toBe("t.item0");
    expect(bindings.item).toBe("the item");
    expect(bindings.index).toBe(0);
    expect(bindings.file_name).toBe("custom");
    expect(bindings.doubled).toBe(10);
    expect(bindings.shared).toBe("from inputs");
    expect(bindings.file).toBe("a.ts");
    expect(bindings.counter).toBe(5);
    expect(bindings.total).toBe(9);
  });

  it("lets each tier outrank the next", () => {
    const tiers = stateData({
      global: { n: "global" },
      state: { n: "state", m: "state" },
    });
    expect(buildBindings(tiers).n).toBe("state");
    expect(buildBindings({ ...tiers, inputs: { n: "inputs" } }).n).toBe("inputs");
    expect(buildBindings({ ...tiers, inputs: { n: "inputs" }, computed: { n: "computed" } }).n).toBe(
      "computed",
    );
    expect(buildBindings(tiers, { loop: { item: 1, names: { n: "loop" } } }).n).toBe("loop");
    expect(buildBindings(tiers, { loop: { names: { n: "loop" } }, locals: { n: "local" } }).n).toBe("local");
    expect(buildBindings(tiers, { loop: { item: "loop" }, locals: { item: "local" } }).item).toBe("local");
  });

  it("never lets a field or local shadow a scope name or a built-in", () => {
    const shadowing = stateData({
      state: { inputs: "state field", config: 1, Math: 2, JSON: 3, this: 4, loop: 5 },
    });
    const bindings = buildBindings(shadowing, { locals: { env: "local", event: "local" } });
    expect(bindings.inputs).toBe(shadowing.inputs);
    expect(bindings.config).toEqual({});
    expect(Object.hasOwn(bindings, "env")).toBe(false);
    expect(bindings.event).toEqual({});
    expect(bindings.loop).toEqual({});
    expect(Object.hasOwn(bindings, "Math")).toBe(false);
    expect(Object.hasOwn(bindings, "JSON")).toBe(false);
    expect((bindings.this as Record<string, unknown>).inputs).toBe("state field");
  });

  it("skips names that are not identifiers, keywords and prototype keys", () => {
    const odd = stateData({
      state: { "file-name": 1, "2fast": 2, class: 3, let: 4, undefined: 5, ok_name: 6, $dollar: 7 },
    });
    odd.state = { ...odd.state };
    Object.defineProperty(odd.state, "__proto__", { value: { polluted: true }, enumerable: true });
    const bindings = buildBindings(odd);
    for (const name of ["file-name", "2fast", "class", "let", "undefined", "__proto__"]) {
      expect(Object.hasOwn(bindings, name), name).toBe(false);
    }
    expect(bindings.ok_name).toBe(6);
    expect(bindings.$dollar).toBe(7);
    expect(Object.getPrototypeOf(bindings)).toBe(Object.prototype);
  });

  it("names computed fields from the specs even before they have values", () => {
    const bindings = buildBindings(
      stateData({ state: { later: "state" } }),
      {},
      { later: { from: "this.x" } },
    );
    expect(Object.hasOwn(bindings, "later")).toBe(true);
    expect(bindings.later).toBeUndefined();
  });
});

describe("isBindableBareName", () => {
  it("accepts identifiers and rejects the rest", () => {
    expect(isBindableBareName("all_checks_passed")).toBe(true);
    expect(isBindableBareName("this")).toBe(false);
    expect(isBindableBareName("return")).toBe(false);
    expect(isBindableBareName("Object")).toBe(false);
    expect(isBindableBareName("a b")).toBe(false);
  });
});

describe("readPath", () => {
  const data = stateData({
    inputs: { file: "a.ts" },
    state: { counter: 5, doubled: "state", nested: { list: [1, 2] } },
    global: { total: 1 },
    computed: { doubled: 10 },
  });
  const context = {
    loop: { item: "it", index: 1, iteration: 2 },
    config: { c: 1 },
    event: { kind: "push" },
    tasks: { build: { ok: true } },
  };

  it("reads like an expression: computed wins under this", () => {
    expect(readPath(data, context, "this.doubled")).toBe(10);
    expect(readPath(data, context, "state.doubled")).toBe(10);
    expect(readPath(data, context, "computed.doubled")).toBe(10);
    expect(readPath(data, context, "this.counter")).toBe(5);
    expect(readPath(data, context, "this.nested.list[1]")).toBe(2);
    expect(readPath(data, context, "raw.file")).toBe("a.ts");
    expect(readPath(data, context, "raw.counter")).toBe(5);
    expect(readPath(data, context, "this")).toEqual({ counter: 5, doubled: 10, nested: { list: [1, 2] } });
  });

  it("reads every other scope", () => {
    expect(readPath(data, context, "inputs.file")).toBe("a.ts");
    expect(readPath(data, context, "global.total")).toBe(1);
    expect(readPath(data, context, "loop.item")).toBe("it");
    expect(readPath(data, context, "loop.index")).toBe(1);
    expect(readPath(data, context, "loop.iteration")).toBe(2);
    expect(readPath(data, context, "config.c")).toBe(1);
    expect(readPath(data, context, "event.kind")).toBe("push");
    expect(readPath(data, context, "tasks.build.ok")).toBe(true);
    expect(readPath(data, {}, "event.kind")).toBeUndefined();
    expect(readPath(data, {}, "loop.item")).toBeUndefined();
  });

  it("refuses env: secrets are not a scope a path can read", () => {
    expect(() => readPath(data, context, "env.K")).toThrow(
      expect.objectContaining({ code: "expression.env_not_allowed" }),
    );
  });
});
