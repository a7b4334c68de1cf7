/** Proves forbidden names are rejected before running and obfuscated escapes cannot reach code generation. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator, DEFAULT_EVALUATOR_LIMITS } from "../../../engine/expressions/quickjs-evaluator.ts";
import { fuelTank, loadQuickJS } from "../../../engine/expressions/quickjs-module.ts";
import { QuickJSSandbox } from "../../../engine/expressions/quickjs-sandbox.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  // these tests are about the sandbox itself: the path shortcut (path-shortcut.test.ts) is off
  evaluator = await createEvaluator({ pathShortcut: false });
});
afterAll(() => evaluator.dispose());

function failure(source: string, bindings: Record<string, unknown> = {}): EngineError {
  try {
    const value = evaluator.evaluate(source, bindings);
    throw new Error(`expected ${source} to fail, got ${JSON.stringify(value)}`);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return error;
  }
}

describe("the token scan", () => {
  it.each([
    ["x.constructor", "constructor"],
    ["x.__proto__", "__proto__"],
    ["Array.prototype.map", "prototype"],
    ["globalThis.x", "globalThis"],
    ["Function('return this')()", "Function"],
    ["eval('1 + 1')", "eval"],
    ["import('node:fs')", "import"],
    ["import.meta.url", "import"],
    ["require('fs')", "require"],
    ["input.filter(x => x.constructor === Object)", "constructor"],
    ["`${constructor}`", "constructor"],
    ["x?.constructor", "constructor"],
    ["({ __proto__: null })", "__proto__"],
    ["this.\\u0063onstructor", "constructor"],
    ["const { constructor: c } = x; return c", "constructor"],
  ])("rejects %s", (source, name) => {
    const error = failure(source, { x: {}, input: [], this: {} });
    expect(error.code).toBe("expression.forbidden");
    expect(error.message).toContain(`'${name}'`);
    expect(error.line).toBe(1);
  });

  it("reports the line and column of the forbidden name", () => {
    const error = failure("const a = 1;\nreturn a.constructor");
    expect(error).toMatchObject({ code: "expression.forbidden", line: 2, column: 10 });
  });

  it.each([
    "'constructor'",
    '"the prototype of eval"',
    "`import me`",
    "x // eval is mentioned in a comment",
    "/* globalThis */ x",
    "/constructor/.test(x)",
  ])("ignores names inside strings, comments and regexes: %s", (source) => {
    expect(() => evaluator.evaluate(source, { x: "s" })).not.toThrow();
  });
});

describe("the hardened context", () => {
  it.each([
    "this['constr' + 'uctor']['constr' + 'uctor']('return this')()",
    "[]['fil' + 'ter']['constr' + 'uctor']('return this')()",
    "(() => {})['constr' + 'uctor']('return 1')()",
    "Object.getPrototypeOf(async function () {})['constr' + 'uctor']('return 1')",
    "Object.getPrototypeOf(function* () {})['constr' + 'uctor']('return 1')",
    "Object.getPrototypeOf(async function* () {})['constr' + 'uctor']('return 1')",
    "Reflect.construct(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Math.max), 'constr' + 'uctor').value, ['return 1'])",
  ])("cannot generate code through %s", (source) => {
    const error = failure(source, { this: { counter: 1 } });
    expect(["expression.forbidden", "expression.runtime"]).toContain(error.code);
  });

  it("answers an attempt to call a constructor with expression.forbidden", () => {
    expect(failure("[]['fil' + 'ter']['constr' + 'uctor']('return this')()").code).toBe(
      "expression.forbidden",
    );
  });

  it("has no eval, Function, globalThis, WeakRef or host globals, even without the token scan", async () => {
    const module = await loadQuickJS();
    const sandbox = new QuickJSSandbox(module, DEFAULT_EVALUATOR_LIMITS, fuelTank(module));
    try {
      const names = [
        "eval",
        "Function",
        "globalThis",
        "require",
        "WeakRef",
        "FinalizationRegistry",
        "process",
        "fetch",
      ];
      const source = `(function () { return [${names.map((name) => `typeof ${name}`).join(", ")}]; })`;
      const compiled = sandbox.compile("probe", source);
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.thrown));
      const result = sandbox.call(compiled.value, "[null]", undefined);
      expect(result).toEqual({ ok: true, value: names.map(() => "undefined") });
    } finally {
      sandbox.dispose();
    }
  });

  it("keeps the global object out of reach of functions", () => {
    expect(evaluator.evaluate("(function () { return this })()", {})).toBeUndefined();
    expect(evaluator.evaluate("typeof this", {})).toBe("undefined");
  });

  it("freezes intrinsics, so one evaluation cannot change what the next sees", () => {
    const attempt = failure("Array['proto' + 'type'].map = () => 'hacked'");
    expect(attempt.code).toBe("expression.runtime");
    expect(attempt.message).toContain("read-only");
    expect(failure("Math.max = () => 0").code).toBe("expression.runtime");
    expect(failure("JSON.parse = () => 0").code).toBe("expression.runtime");
    expect(evaluator.evaluate("[1, 2].map((x) => x * 2)", {})).toEqual([2, 4]);
    expect(evaluator.evaluate("Math.max(1, 3)", {})).toBe(3);
  });

  it("cannot create globals that outlive an evaluation", () => {
    expect(failure("leaked = 1").code).toBe("expression.runtime");
    expect(failure("leaked").message).toContain("'leaked' is not defined");
  });
});
