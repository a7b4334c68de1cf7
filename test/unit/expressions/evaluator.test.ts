/** Proves the evaluator's contract: forms it accepts, how bindings go in and results come out, and its errors. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  // these tests are about the sandbox itself: the path shortcut (path-shortcut.test.ts) is off
  evaluator = await createEvaluator({ pathShortcut: false });
});
afterAll(() => evaluator.dispose());

function failure(source: string, bindings: Record<string, unknown> = {}): EngineError {
  try {
    evaluator.evaluate(source, bindings);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe("source forms", () => {
  it.each([
    ["an expression", "input * 2", 10],
    ["an expression with a trailing semicolon", "input * 2;", 10],
    ["an expression with a trailing comment", "input * 2 // double it", 10],
    ["an object literal without return", "{ doubled: input * 2 }", { doubled: 10 }],
    ["a statement body", "const doubled = input * 2;\nreturn doubled + 1;", 11],
    ["a body starting with if", "if (input > 3) { return 'big' } return 'small'", "big"],
    ["a block body with return in every branch", "{ if (input) { return 1 } else { return 2 } }", 1],
    ["an arrow with a block body", "[input].map(x => { const y = x + 1; return y })", [6]],
    ["a template literal", "`value: ${input}`", "value: 5"],
    ["a nested template literal", "`a${`b${input}`}c`", "ab5c"],
    ["a regex literal", "'a  b   c'.split(/\\s+/)", ["a", "b", "c"]],
    ["a regex after return", "return /^\\d+$/.test(String(input))", true],
    ["division", "input / 2 / 1", 2.5],
    ["spread", "[...[input], ...[1]]", [5, 1]],
    ["optional chaining", "missing?.deep ?? input", 5],
    ["destructuring", "(([a, { b }]) => a + b)([1, { b: 2 }])", 3],
    ["Math and Number", "Math.round(Number('2.6')) + Math.max(input, 1)", 8],
    ["Date.now()", "typeof Date.now()", "number"],
  ])("evaluates %s", (_, source, expected) => {
    expect(evaluator.evaluate(source, { input: 5, missing: null })).toEqual(expected);
  });

  it("returns undefined from a statement body without return", () => {
    expect(evaluator.evaluate("const x = 1; x + 1", {})).toBeUndefined();
  });
});

describe("bindings", () => {
  it("exposes each binding as a global name and `this` as the receiver", () => {
    const bindings = { this: { counter: 4 }, inputs: { step: 2 }, loop: { iteration: 3 } };
    expect(evaluator.evaluate("this.counter + inputs.step * loop.iteration", bindings)).toBe(10);
    expect(evaluator.evaluate("[1].map(x => this.counter + x)", bindings)).toEqual([5]);
  });

  it("leaves `this` undefined when no binding provides it", () => {
    expect(failure("this.counter").message).toBe("TypeError: cannot read property 'counter' of undefined");
  });

  it("preserves an undefined binding at the top level", () => {
    expect(evaluator.evaluate("typeof value", { value: undefined })).toBe("undefined");
    expect(evaluator.evaluate("value === undefined", { value: undefined })).toBe(true);
    expect(evaluator.evaluate("typeof this", { this: undefined })).toBe("undefined");
  });

  it("copies data in: nested undefined is dropped as in JSON, Dates become strings", () => {
    expect(evaluator.evaluate("Object.keys(value)", { value: { a: 1, b: undefined } })).toEqual(["a"]);
    expect(evaluator.evaluate("value", { value: [1, undefined] })).toEqual([1, null]);
    expect(evaluator.evaluate("typeof when", { when: new Date(0) })).toBe("string");
  });

  it("never lets the sandbox change the caller's data", () => {
    const bindings = { list: [1, 2, 3], state: { n: 1 } };
    evaluator.evaluate("list.push(4); state.n = 99; delete state.x; return list.length", bindings);
    expect(bindings).toEqual({ list: [1, 2, 3], state: { n: 1 } });
  });

  it("passes only names the source reads; other bindings may hold anything", () => {
    const bindings = { used: 1, unused: { big: 2n } };
    expect(evaluator.evaluate("used + 1", bindings)).toBe(2);
  });

  it("copies only the properties a scope is read through, without changing what the source sees", () => {
    const state = { a: 1, b: 2, big: "x".repeat(10_000), list: [1, 2] };
    const bindings = { this: state, input: state };
    expect(evaluator.evaluate("this.a + this?.b", bindings)).toBe(3);
    expect(evaluator.evaluate("this.missing", bindings)).toBeUndefined();
    expect(evaluator.evaluate("this.hasOwnProperty('big')", bindings)).toBe(true);
    expect(evaluator.evaluate("Object.keys(this).length", bindings)).toBe(4);
    expect(evaluator.evaluate("'big' in input", bindings)).toBe(true);
    expect(evaluator.evaluate("input.a + Object.keys(arguments[0]).length", bindings)).toBe(5);
    expect(evaluator.evaluate("input.list.length + input['b']", bindings)).toBe(4);
    expect(evaluator.evaluate("[1].map(() => this.b)[0]", bindings)).toBe(2);
  });

  it("lets bindings shadow built-in names", () => {
    expect(evaluator.evaluate("JSON + 1", { JSON: 1 })).toBe(2);
    expect(evaluator.evaluate("JSON.stringify([1])", {})).toBe("[1]");
  });

  it("rejects a binding that is not data", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const error = failure("value", { value: circular });
    expect(error.code).toBe("expression.runtime");
    expect(error.message).toContain("binding 'value' is not plain data");
  });

  it("ignores names that are not identifiers or are reserved words", () => {
    expect(evaluator.evaluate("1 + 1", { "my-name": 1, class: 2, return: 3 })).toBe(2);
  });
});

describe("results", () => {
  it("copies results out as plain data", () => {
    const value = evaluator.evaluate(
      "({ list: [1, { a: null }], when: new Date(0), set: new Set([1]) })",
      {},
    );
    expect(value).toEqual({ list: [1, { a: null }], when: "1970-01-01T00:00:00.000Z", set: {} });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("keeps top-level primitives exact", () => {
    expect(evaluator.evaluate("0 / 0", {})).toBeNaN();
    expect(evaluator.evaluate("-1 / 0", {})).toBe(Number.NEGATIVE_INFINITY);
    expect(evaluator.evaluate("null", {})).toBeNull();
    expect(evaluator.evaluate("'\\u2028 ✓ 😀'", {})).toBe("\u2028 ✓ 😀");
  });

  it("returns what toJSON gives", () => {
    expect(evaluator.evaluate("({ toJSON() { return 'custom' } })", {})).toBe("custom");
  });

  it.each([
    ["a function", "x => x", "returned a function"],
    ["a symbol", "Symbol('s')", "returned a symbol"],
    ["a bigint", "10n", "returned a bigint"],
    ["a Promise", "(async () => 1)()", "returned a Promise"],
  ])("refuses %s", (_, source, message) => {
    const error = failure(source);
    expect(error.code).toBe("expression.runtime");
    expect(error.message).toContain(message);
  });
});

describe("errors", () => {
  it.each([
    ["1 +", 1],
    ["input.filter(x => {", 1],
    ["const = 5", 1],
    ["a b", 1],
    ["input\n  .map(x => x +)\n", 2],
  ])("reports %j as expression.syntax on line %i", (source, line) => {
    const error = failure(source, { input: [] });
    expect(error.code).toBe("expression.syntax");
    expect(error.message).toMatch(/^SyntaxError: /);
    expect(error.line).toBe(line);
  });

  it("says when the source ends too early", () => {
    expect(failure("1 +").message).toBe("SyntaxError: unexpected end of input");
  });

  it("reports a statement body's syntax error rather than the expression form's", () => {
    const error = failure("const a = 1; return a +;");
    expect(error.code).toBe("expression.syntax");
    expect(error.message).not.toContain("unexpected end");
  });

  it.each([
    ["TypeError: cannot read property 'x' of undefined", "missing.x", { missing: undefined }],
    ["ReferenceError: 'nothing' is not defined", "nothing + 1", {}],
    ["TypeError: not a function", "input()", { input: 1 }],
    ["SyntaxError: expecting property name", "JSON.parse('{')", {}],
    ["Error: custom failure", "(() => { throw new Error('custom failure') })()", {}],
    ["uncaught 42", "(() => { throw 42 })()", {}],
  ])("reports %s as expression.runtime", (message, source, bindings) => {
    const error = failure(source, bindings);
    expect(error.code).toBe("expression.runtime");
    expect(error.message).toContain(message);
  });

  it("reports the line and column of a runtime error within the source", () => {
    const error = failure("const a = 1;\nreturn missing.x", { missing: undefined });
    expect(error).toMatchObject({ code: "expression.runtime", line: 2 });
  });

  it("rejects unbalanced brackets before compiling, so the wrapper cannot be closed", () => {
    for (const source of ["x) + (1", "}); (function () {", "a]", "`${a`"]) {
      expect(failure(source, { x: 1, a: 1 }).code).toBe("expression.syntax");
    }
  });

  it("rejects HTML-like comments, which could hide brackets from the bracket check", () => {
    const wrapperEscape =
      "1 <!-- ({(\n)}); (() => { throw new Error('escaped ' + typeof this) })(); (function () { (0 <!-- )})\n";
    for (const source of [wrapperEscape, "x-->0", "x <!-- comment"]) {
      const error = failure(source, { x: 1 });
      expect(error.code).toBe("expression.syntax");
      expect(error.message).toContain("HTML-like comment");
    }
  });

  it("fails after dispose", async () => {
    const short = await createEvaluator();
    short.dispose();
    short.dispose();
    expect(() => short.evaluate("1", {})).toThrow(EngineError);
  });
});

describe("compiled-function cache", () => {
  it("reuses compiled code across calls and still sees new bindings", async () => {
    const small = await createEvaluator({ compiledCacheSize: 2 });
    try {
      for (let round = 0; round < 3; round++) {
        for (const [i, source] of ["a + 1", "a + 2", "a + 3"].entries()) {
          expect(small.evaluate(source, { a: round })).toBe(round + i + 1);
        }
      }
      expect(small.evaluate("a + b", { a: 1, b: 2 })).toBe(3);
      expect(small.evaluate("a + b", { a: 1, b: 2, c: 3 })).toBe(3);
      expect(() => small.evaluate("a + b", { a: 1 })).toThrow("'b' is not defined");
    } finally {
      small.dispose();
    }
  });

  it("keeps evaluators apart", async () => {
    const other = await createEvaluator({ pathShortcut: false });
    try {
      expect(other.evaluate("x", { x: 1 })).toBe(1);
      expect(evaluator.evaluate("x", { x: 2 })).toBe(2);
    } finally {
      other.dispose();
    }
  });

  it("rejects invalid limits", async () => {
    await expect(createEvaluator({ stepBudget: 0 })).rejects.toThrow(RangeError);
    // a limit too small for a context would abort the shared wasm module, not just this evaluator
    await expect(createEvaluator({ memoryLimitBytes: 1 })).rejects.toThrow(RangeError);
  });
});
