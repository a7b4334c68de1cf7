/**
 * Deep native recursion (issue 9, item 8): `JSON.parse` of 300,000 nested brackets and its kin
 * used to overflow the host stack inside QuickJS's C code, abort the shared WebAssembly module and
 * leave the evaluator broken. Now QuickJS's own stack limit stops each one first with a coded
 * error, the module survives, and the same evaluator and others keep working. A module that does
 * fail (forced here with the largest stack the options allow) is replaced for every evaluator.
 */
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { isDiscarded, loadQuickJS } from "../../../engine/expressions/quickjs-module.ts";
import { engineErrorCodeOf } from "../../support/engine-error-code.ts";

/** Expressions that recurse deeply in QuickJS's native code, with the code each must fail with. */
const DEEP_NATIVE_RECURSION: ReadonlyArray<readonly [string, string]> = [
  ["JSON.parse('['.repeat(300000) + ']'.repeat(300000))", "expression.budget_exceeded"],
  ["JSON.parse('['.repeat(300000))", "expression.budget_exceeded"],
  ["JSON.parse('{\"a\":'.repeat(100000) + '1' + '}'.repeat(100000))", "expression.budget_exceeded"],
  ["JSON.parse('['.repeat(300000) + ']'.repeat(300000), (k, v) => v)", "expression.budget_exceeded"],
  [
    "let a = []; for (let i = 0; i < 300000; i++) a = [a]; return JSON.stringify(a).length",
    "expression.budget_exceeded",
  ],
  [
    "let a = {}; for (let i = 0; i < 300000; i++) a = { a }; return JSON.stringify(a).length",
    "expression.budget_exceeded",
  ],
  ["let a = []; for (let i = 0; i < 300000; i++) a = [a]; return a", "expression.budget_exceeded"],
  [
    "let a = []; for (let i = 0; i < 300000; i++) a = [a]; return a.flat(Infinity).length",
    "expression.budget_exceeded",
  ],
  [
    "let a = []; for (let i = 0; i < 300000; i++) a = [a]; return a.join().length",
    "expression.budget_exceeded",
  ],
  [
    "let f = () => 1; for (let i = 0; i < 3000; i++) f = f.bind(null); return f()",
    "expression.budget_exceeded",
  ],
  ["new RegExp('('.repeat(50000) + 'a' + ')'.repeat(50000)).test('a')", "expression.runtime"],
  ["new RegExp('(?:'.repeat(300000) + 'a' + ')'.repeat(300000)).test('a')", "expression.budget_exceeded"],
  // as deep as the longest expression allows (MAX_EXPRESSION_LENGTH); longer is expression.too_long
  [`${"[".repeat(2000)}${"]".repeat(2000)}`, "expression.syntax"],
  [`${"(".repeat(2000)}1${")".repeat(2000)}`, "expression.syntax"],
  [`${"f(".repeat(1300)}1${")".repeat(1300)}`, "expression.syntax"],
  [`${"`${".repeat(680)}1${"}`".repeat(680)}`, "expression.syntax"],
  [`${"!".repeat(4000)}1`, "expression.syntax"],
  [`${"[".repeat(300000)}${"]".repeat(300000)}`, "expression.too_long"],
];

describe("deep native recursion", () => {
  it.each(DEEP_NATIVE_RECURSION)(
    "%# stops with a coded error, and the module survives",
    async (source, code) => {
      const evaluator = await createEvaluator();
      const other = await createEvaluator();
      try {
        expect(other.evaluate("1 + x", { x: 1 })).toBe(2); // a context in the same module, built before
        expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe(code);
        expect(isDiscarded(await loadQuickJS())).toBe(false);
        expect(evaluator.evaluate("1 + 1", {})).toBe(2);
        expect(other.evaluate("1 + 1", {})).toBe(2);
        const later = await createEvaluator();
        expect(later.evaluate("1 + 1", {})).toBe(2);
        later.dispose();
      } finally {
        evaluator.dispose();
        other.dispose();
      }
    },
  );

  it("the deep sources are refused by check too (nothing runs)", async () => {
    const checker = await createEvaluator({ compiledCacheSize: 1 });
    try {
      for (const [source, code] of DEEP_NATIVE_RECURSION) {
        if (code === "expression.syntax" || code === "expression.too_long")
          expect(engineErrorCodeOf(() => checker.check(source))).toBe(code);
        else expect(engineErrorCodeOf(() => checker.check(source))).toBe("no error");
      }
      expect(checker.evaluate("1 + 1", {})).toBe(2);
    } finally {
      checker.dispose();
    }
  });

  it("still allows ordinary depth: 100 nested calls, 1,000 nested arrays in and out, 60 nested brackets", async () => {
    const evaluator = await createEvaluator({ pathShortcut: false });
    try {
      expect(evaluator.evaluate("const f = (n) => (n === 0 ? 0 : 1 + f(n - 1)); return f(100)", {})).toBe(
        100,
      );
      let nested: unknown = 0;
      for (let i = 0; i < 1000; i++) nested = [nested];
      expect(evaluator.evaluate("x", { x: nested })).toEqual(nested);
      expect(evaluator.evaluate(`${"[".repeat(60)}1${"]".repeat(60)}.flat(Infinity)`, {})).toEqual([1]);
    } finally {
      evaluator.dispose();
    }
  });

  it("after a real module failure, every evaluator moves to a fresh module once ready", async () => {
    // 256 KiB of QuickJS stack is more than the host stack can carry through JSON.parse
    const reckless = await createEvaluator({ maxStackSizeBytes: 256 * 1024 });
    const bystander = await createEvaluator();
    try {
      expect(bystander.evaluate("[1].map(n => n + 1)", {})).toEqual([2]);
      const module = await loadQuickJS();
      // the host's stack overflowing is depth the expression asked for: its budget error
      expect(() => reckless.evaluate("JSON.parse('['.repeat(300000) + ']'.repeat(300000))", {})).toThrow(
        expect.objectContaining({ code: "expression.budget_exceeded", retryable: false }),
      );
      expect(isDiscarded(module)).toBe(true);
      // until ready() the old module is not touched again
      expect(engineErrorCodeOf(() => bystander.evaluate("2 + 2", {}))).toBe("expression.runtime");
      await reckless.ready();
      await bystander.ready();
      expect(reckless.evaluate("1 + 1", {})).toBe(2);
      expect(bystander.evaluate("1 + 1", {})).toBe(2);
      const fresh = await createEvaluator();
      expect(fresh.evaluate("1 + 1", {})).toBe(2);
      fresh.dispose();
      expect(isDiscarded(await loadQuickJS())).toBe(false);
    } finally {
      reckless.dispose();
      bystander.dispose();
    }
  });
});
