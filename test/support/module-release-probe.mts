/**
 * Run by test/unit/expressions/module-release.test.ts in a plain Node process (`--expose-gc`):
 * an idle evaluator and an attacker share the QuickJS module; the attacker traps it; once the
 * replacement is loaded and the garbage collected, prints whether the old module is gone.
 */
import { useMeteredQuickJS } from "../../cli/metered-quickjs.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { loadQuickJS } from "../../engine/expressions/quickjs-module.ts";

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) throw new Error("run with --expose-gc");
async function currentModule(): Promise<WeakRef<object>> {
  return new WeakRef(await loadQuickJS());
}
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    collectGarbage?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const trap = "const s = 'x'.repeat(4e5), t = 'x'.repeat(4e5); let n = 0; for (;;) if (s === t) n++";
await useMeteredQuickJS();
const idle = await createEvaluator({ pathShortcut: false, stepBudget: 20 });
const attacker = await createEvaluator({ pathShortcut: false, stepBudget: 20 });
idle.evaluate("1 + 1", {}); // holds a sandbox in the current module, then stays idle
const old = await currentModule();
let code = "no error";
try {
  attacker.evaluate(trap, {});
} catch (error) {
  code = String((error as { code?: unknown }).code);
}
await attacker.ready();
await settle();
const released = old.deref() === undefined;
await idle.ready();
console.log(JSON.stringify({ code, released, idleAnswers: idle.evaluate("2 + 2", {}) }));
