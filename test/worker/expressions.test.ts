/**
 * The QuickJS evaluator loads and runs inside workerd: the wasm arrives as a compiled
 * `WebAssembly.Module` through the `CompiledWasm` rule in wrangler.toml. (The vitest pool
 * proxies `new Function`, so this cannot prove the absence of code generation; the sandbox
 * needs none, which `wrangler deploy --dry-run` and `wrangler dev` confirm.)
 */

import { describe, expect, it } from "vitest";
import { LazyEvaluator } from "../../durable-objects/run/lazy-evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { discardQuickJS, isDiscarded, loadQuickJS } from "../../engine/expressions/quickjs-module.ts";
import { renderTemplate } from "../../engine/expressions/template.ts";
import wasmModule from "../../generated/quickjs-metered.wasm";
import { engineErrorCodeOf } from "../support/engine-error-code.ts";

describe("the expression sandbox in workerd", () => {
  it("evaluates transforms and templates", async () => {
    const evaluator = await createEvaluator({ wasmModule });
    try {
      const bindings = { this: { counter: 5, processing_results: { "a.ts": { success: false } } } };
      expect(evaluator.evaluate("this.counter * 2", bindings)).toBe(10);
      expect(
        evaluator.evaluate(
          "Object.entries(this.processing_results).filter(([_, result]) => !result.success).map(([file, _]) => file)",
          bindings,
        ),
      ).toEqual(["a.ts"]);
      expect(
        renderTemplate("Counter is {{ this.counter }}", (source) => evaluator.evaluate(source, bindings)),
      ).toBe("Counter is 5");
    } finally {
      evaluator.dispose();
    }
  });

  it("stops endless loops by counting steps, with the clock frozen or not", async () => {
    const evaluator = await createEvaluator({ wasmModule });
    try {
      for (const source of ["while (true) {}", "(() => { for (;;) {} })()"]) {
        expect(() => evaluator.evaluate(source, {})).toThrow(
          expect.objectContaining({ code: "expression.budget_exceeded" }),
        );
      }
      expect(() => evaluator.evaluate("'x'.repeat(1e9)", {})).toThrow(
        expect.objectContaining({ code: "expression.memory_exceeded" }),
      );
      expect(() => evaluator.evaluate("[]['fil' + 'ter']['constr' + 'uctor']('return 1')()", {})).toThrow(
        expect.objectContaining({ code: "expression.forbidden" }),
      );
      expect(evaluator.evaluate("1 + 1", {})).toBe(2);
    } finally {
      evaluator.dispose();
    }
  });

  it("stops deep native recursion with a coded error; the module, this evaluator and others keep working", async () => {
    const evaluator = await createEvaluator({ wasmModule });
    const other = await createEvaluator({ wasmModule });
    try {
      expect(other.evaluate("1 + x", { x: 1 })).toBe(2);
      const deep: Array<[string, string]> = [
        ["JSON.parse('['.repeat(300000) + ']'.repeat(300000))", "expression.budget_exceeded"],
        [
          "let a = []; for (let i = 0; i < 300000; i++) a = [a]; return JSON.stringify(a).length",
          "expression.budget_exceeded",
        ],
        ["let a = []; for (let i = 0; i < 300000; i++) a = [a]; return a", "expression.budget_exceeded"],
        [`${"[".repeat(2000)}${"]".repeat(2000)}`, "expression.syntax"],
        [`${"f(".repeat(1300)}1${")".repeat(1300)}`, "expression.syntax"],
        [`${"[".repeat(300000)}${"]".repeat(300000)}`, "expression.too_long"],
        [
          "new RegExp('(?:'.repeat(300000) + 'a' + ')'.repeat(300000)).test('a')",
          "expression.budget_exceeded",
        ],
      ];
      for (const [source, code] of deep) {
        expect([source.slice(0, 40), engineErrorCodeOf(() => evaluator.evaluate(source, {}))]).toEqual([
          source.slice(0, 40),
          code,
        ]);
        expect(evaluator.evaluate("1 + 1", {})).toBe(2);
        expect(other.evaluate("1 + 1", {})).toBe(2);
      }
      expect(isDiscarded(await loadQuickJS(wasmModule))).toBe(false);
    } finally {
      evaluator.dispose();
      other.dispose();
    }
  });

  it("moves every evaluator to a fresh module after a real module failure", async () => {
    // 256 KiB of QuickJS stack is more than the host stack can carry through JSON.parse
    const reckless = await createEvaluator({ wasmModule, maxStackSizeBytes: 256 * 1024 });
    const bystander = await createEvaluator({ wasmModule });
    try {
      expect(bystander.evaluate("[1].map((n) => n + 1)", {})).toEqual([2]);
      expect(() => reckless.evaluate("JSON.parse('['.repeat(300000) + ']'.repeat(300000))", {})).toThrow(
        expect.objectContaining({ code: "expression.budget_exceeded", retryable: false }),
      );
      await reckless.ready();
      await bystander.ready();
      expect(reckless.evaluate("1 + 1", {})).toBe(2);
      expect(bystander.evaluate("1 + 1", {})).toBe(2);
      const fresh = await createEvaluator({ wasmModule });
      expect(fresh.evaluate("1 + 1", {})).toBe(2);
      fresh.dispose();
    } finally {
      reckless.dispose();
      bystander.dispose();
    }
  });

  it("gives every Durable Object a working evaluator again after the isolate's module failed", async () => {
    const runA = new LazyEvaluator();
    const runB = new LazyEvaluator();
    expect((await runA.get()).evaluate("[1].map((n) => n * 2)", {})).toEqual([2]);
    expect((await runB.get()).evaluate("[3].map((n) => n * 2)", {})).toEqual([6]);
    discardQuickJS(await loadQuickJS(wasmModule)); // as after a trap in any run of the isolate
    expect((await runA.get()).evaluate("1 + 1", {})).toBe(2);
    expect((await runB.get()).evaluate("[1].map((n) => n + 1)", {})).toEqual([2]);
    expect(isDiscarded(await loadQuickJS(wasmModule))).toBe(false);
  });

  it("refuses the wrapper escape of issue 9 and caps results", async () => {
    const evaluator = await createEvaluator({ wasmModule });
    try {
      const wrapperEscape = "if(1){}/{/;}); let leak = 1; ;(function(){{return 1/1} ";
      expect(engineErrorCodeOf(() => evaluator.check(wrapperEscape))).toBe("expression.syntax");
      expect(engineErrorCodeOf(() => evaluator.evaluate(wrapperEscape, {}))).toBe("expression.syntax");
      expect(evaluator.evaluate("typeof leak", {})).toBe("undefined");
      expect(engineErrorCodeOf(() => evaluator.evaluate("'x'.repeat(2 * 1024 * 1024)", {}))).toBe(
        "expression.result_too_large",
      );
    } finally {
      evaluator.dispose();
    }
  });
});
