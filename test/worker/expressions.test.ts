/**
 * The QuickJS evaluator loads and runs inside workerd: the wasm arrives as a compiled
 * `WebAssembly.Module` through the `CompiledWasm` rule in wrangler.toml. (The vitest pool
 * proxies `new Function`, so this cannot prove the absence of code generation; the sandbox
 * needs none, which `wrangler deploy --dry-run` and `wrangler dev` confirm.)
 */
import wasmModule from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { renderTemplate } from "../../engine/expressions/template.ts";

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
});
