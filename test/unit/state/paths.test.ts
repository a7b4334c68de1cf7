import { describe, expect, it } from "vitest";
import {
  formatPath,
  getPath,
  resolvePath,
  resolveWriteTarget,
  setPath,
} from "../../../engine/state/index.ts";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("resolvePath", () => {
  it("parses scopes and dotted segments", () => {
    expect(resolvePath("this.a.b")).toMatchObject({ scope: "this", root: "this", segments: ["a", "b"] });
    expect(resolvePath("global.x")).toMatchObject({ scope: "global", segments: ["x"] });
    for (const scope of ["inputs", "loop", "config", "event", "tasks"]) {
      expect(resolvePath(`${scope}.x`).scope).toBe(scope);
    }
  });

  it("refuses env, which is not a scope: secrets are not values", () => {
    for (const path of ["env.API_TOKEN", "env", "env[0]"]) {
      expect(() => resolvePath(path), path).toThrow(
        expect.objectContaining({ code: "expression.env_not_allowed" }),
      );
    }
  });

  it("maps legacy roots: state and computed are this; raw is inputs for an input, else this", () => {
    expect(resolvePath("state.counter")).toMatchObject({
      scope: "this",
      root: "state",
      segments: ["counter"],
    });
    expect(resolvePath("computed.doubled")).toMatchObject({ scope: "this", root: "computed" });
    expect(resolvePath("raw.file", { file: "a.ts" })).toMatchObject({ scope: "inputs", root: "raw" });
    expect(resolvePath("raw.counter", { file: "a.ts" })).toMatchObject({ scope: "this", root: "raw" });
    expect(resolvePath("raw.counter").scope).toBe("this");
  });

  it("parses bracket segments: indexes become numbers, quoted keys strings", () => {
    expect(resolvePath("this.a[0]").segments).toEqual(["a", 0]);
    expect(resolvePath('this.a["k.with dots"]').segments).toEqual(["a", "k.with dots"]);
    expect(resolvePath("this.a['it\\'s']").segments).toEqual(["a", "it's"]);
    expect(resolvePath('this["a"][2].b[10]').segments).toEqual(["a", 2, "b", 10]);
    expect(resolvePath("this.results.file-1.ok").segments).toEqual(["results", "file-1", "ok"]);
    expect(resolvePath('this.a["]"]').segments).toEqual(["a", "]"]);
  });

  it("rejects malformed paths with state.invalid_path", () => {
    for (const bad of [
      "",
      ".a",
      "this.",
      "this..a",
      "this.a[",
      "this.a[x]",
      "this.a[-1]",
      'this.a["x"',
      "this a",
    ]) {
      expect(
        codeOf(() => resolvePath(bad)),
        bad,
      ).toBe("state.invalid_path");
    }
  });

  it("rejects unknown roots with state.unknown_scope", () => {
    expect(codeOf(() => resolvePath("counter"))).toBe("state.unknown_scope");
    expect(codeOf(() => resolvePath("window.location"))).toBe("state.unknown_scope");
  });

  it("rejects prototype keys as segments with state.forbidden_key", () => {
    for (const bad of [
      "this.__proto__",
      "this.a.constructor",
      "this.a.prototype",
      'this.a["__proto__"]',
      "global['constructor'].x",
    ]) {
      expect(
        codeOf(() => resolvePath(bad)),
        bad,
      ).toBe("state.forbidden_key");
    }
  });
});

describe("resolveWriteTarget", () => {
  const inputs = { file: "a.ts" };
  const computed = { doubled: {} };

  it("writes this, state, raw (non-input) to the state tier and global to the global tier", () => {
    expect(resolveWriteTarget("this.a.b", inputs, computed)).toMatchObject({
      tier: "state",
      segments: ["a", "b"],
    });
    expect(resolveWriteTarget("state.a", inputs, computed).tier).toBe("state");
    expect(resolveWriteTarget("raw.counter", inputs, computed).tier).toBe("state");
    expect(resolveWriteTarget("global.total", inputs, computed).tier).toBe("global");
  });

  it("refuses read-only scopes with state.read_only and names the path", () => {
    for (const path of [
      "inputs.file",
      "raw.file",
      "computed.doubled",
      "computed.other",
      "this.doubled",
      "this.doubled.x",
      "loop.item",
      "config.x",
      "event.body",
      "tasks.build",
    ]) {
      let thrown: { code?: string; path?: string; message?: string } | undefined;
      try {
        resolveWriteTarget(path, inputs, computed);
      } catch (error) {
        thrown = error as typeof thrown;
      }
      expect(thrown?.code, path).toBe("state.read_only");
      expect(thrown?.path).toBe(path);
      expect(thrown?.message).toContain(path);
    }
  });

  it("refuses a whole scope as a target", () => {
    expect(codeOf(() => resolveWriteTarget("this", inputs, computed))).toBe("state.invalid_path");
    expect(codeOf(() => resolveWriteTarget("global", inputs, computed))).toBe("state.invalid_path");
  });
});

describe("getPath", () => {
  const value = { a: { b: [10, { c: "x" }] }, s: "hello" };

  it("reads nested objects and arrays, by number or numeric string", () => {
    expect(getPath(value, ["a", "b", 0])).toBe(10);
    expect(getPath(value, ["a", "b", "1", "c"])).toBe("x");
    expect(getPath(value, [])).toBe(value);
  });

  it("gives undefined for anything missing", () => {
    expect(getPath(value, ["a", "x", "y"])).toBeUndefined();
    expect(getPath(value, ["a", "b", 5])).toBeUndefined();
    expect(getPath(value, ["s", "x"])).toBeUndefined();
    expect(getPath(null, ["a"])).toBeUndefined();
  });

  it("reads length of arrays and strings but never inherited properties", () => {
    expect(getPath(value, ["a", "b", "length"])).toBe(2);
    expect(getPath(value, ["s", "length"])).toBe(5);
    expect(getPath(value, ["toString"])).toBeUndefined();
    expect(getPath(value, ["hasOwnProperty"])).toBeUndefined();
    expect(codeOf(() => getPath(value, ["constructor"]))).toBe("state.forbidden_key");
  });
});

describe("setPath", () => {
  it("returns new objects along the path and shares everything else", () => {
    const shared = { deep: [1, 2] };
    const root = { a: { b: 1, keep: shared }, other: { x: 1 } };
    const next = setPath(root, ["a", "b"], 2);
    expect(next).toEqual({ a: { b: 2, keep: shared }, other: { x: 1 } });
    expect(root.a.b).toBe(1);
    expect(next.other).toBe(root.other);
    expect((next.a as typeof root.a).keep).toBe(shared);
  });

  it("creates missing containers: objects, or arrays for bracket indexes", () => {
    expect(setPath({}, ["a", "b", "c"], 1)).toEqual({ a: { b: { c: 1 } } });
    expect(setPath({}, ["list", 0, "name"], "x")).toEqual({ list: [{ name: "x" }] });
    expect(setPath({ a: null }, ["a", "b"], 1)).toEqual({ a: { b: 1 } });
  });

  it("writes array elements by copying the array", () => {
    const root = { list: [1, 2, 3] };
    const next = setPath(root, ["list", 1], 20);
    expect(next.list).toEqual([1, 20, 3]);
    expect(root.list).toEqual([1, 2, 3]);
    expect(setPath(root, ["list", "3"], 4).list).toEqual([1, 2, 3, 4]);
  });

  it("refuses to write through scalars or to leave holes", () => {
    expect(codeOf(() => setPath({ s: "text" }, ["s", "x"], 1))).toBe("state.type_mismatch");
    expect(codeOf(() => setPath({ n: 5 }, ["n", "x"], 1))).toBe("state.type_mismatch");
    expect(codeOf(() => setPath({ list: [] }, ["list", "name"], 1))).toBe("state.type_mismatch");
    expect(codeOf(() => setPath({ list: [] }, ["list", 3], 1))).toBe("state.index_out_of_range");
    expect(codeOf(() => setPath({}, [], 1))).toBe("state.invalid_path");
  });

  it("refuses prototype keys and never pollutes Object.prototype", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      expect(codeOf(() => setPath({}, [key, "polluted"], true))).toBe("state.forbidden_key");
      expect(codeOf(() => setPath({ a: {} }, ["a", key], { polluted: true }))).toBe("state.forbidden_key");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("formatPath", () => {
  it("writes dots for plain names and brackets otherwise", () => {
    expect(formatPath(["a", 0, "b c", "d"])).toBe('a[0]["b c"].d');
  });
});
