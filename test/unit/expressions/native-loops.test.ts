/**
 * Proves that work QuickJS never polls for is charged to the step budget through the metered
 * WebAssembly's fuel (`engine/expressions/wasm-fuel.ts`): built-ins that loop natively over real,
 * sparse and array-like receivers, operators whose cost grows with their operands (`===` of long
 * strings, spread), and short loops repeating any of them each stop with
 * `expression.budget_exceeded` instead of holding the isolate, and the evaluator goes on working.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { engineErrorCodeOf } from "../../support/engine-error-code.ts";

/** The budget runs give an expression (RUN_EXPRESSION_POLL_BUDGET). */
const STEP_BUDGET = 20;

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator({ pathShortcut: false, stepBudget: STEP_BUDGET });
});
afterAll(() => evaluator.dispose());

/** Each of these ran for seconds to minutes with no budget error before native loops were metered. */
const NATIVE_LOOP_EXPRESSIONS = [
  "[].includes.call({length: 3e8}, 1)",
  "[].indexOf.call({length: 2 ** 53 - 1}, 1)",
  "[].lastIndexOf.call({length: 3e8}, 1)",
  "new Array(2 ** 32 - 1).join('x')",
  "String(new Array(2 ** 32 - 1))",
  "[new Array(2 ** 32 - 1)] + ''",
  "[].toLocaleString.call({length: 3e8})",
  "[].reverse.call({length: 3e8})",
  "[].copyWithin.call({length: 3e8}, 0, 1)",
  "[].fill.call({length: 3e8}, 1)",
  "[].sort.call({length: 3e8})",
  "[].forEach.call({length: 3e8}, (x) => x)",
  "[].some.call({length: 3e8}, (x) => x)",
  "[].concat({length: 3e8, [Symbol.isConcatSpreadable]: true}).length",
  "[new Array(2 ** 32 - 1)].flat()",
  "[[new Array(2 ** 32 - 1)]].flat(Infinity)",
  "[1].flatMap(() => new Array(2 ** 32 - 1))",
  "const a = Array.from({length: 1e6}, (_, i) => i); let r = 0; for (let k = 0; k < 1000; k++) r += a.indexOf(-1); return r",
  "const s = 'x'.repeat(1e7); let r = 0; for (let k = 0; k < 1000; k++) r += s.indexOf('y'); return r",
  "let r = 0; for (let k = 0; k < 1000; k++) r += 'x'.repeat(1e7).length; return r",
  // what the prelude's Array/String wrappers could not see (docs/reliability.md, the third look)
  "const s = 'x'.repeat(5e5), t = 'x'.repeat(5e5); let n = 0; for (;;) if (s === t) n++",
  "const a = new Uint8Array(1e6); let n = 0; for (;;) n += a.join().length",
  "const a = Array(1e5).fill(1); let n = 0; for (;;) n += [...a].length",
  "const o = Object.fromEntries(Array.from({length: 2e4}, (_, i) => ['k' + i, i])); let n = 0; for (;;) n += Object.keys({...o}).length",
  "const o = Object.fromEntries(Array.from({length: 2e4}, (_, i) => ['k' + i, i])); let n = 0; for (;;) n += Object.entries(Object.assign({}, o)).length",
  "const a = Array(1e5).fill(1); let n = 0; for (;;) n += JSON.parse(JSON.stringify(a)).length",
  "const a = Array(1e5).fill(1); let n = 0; for (;;) n += Array.from(a).length",
  "const raw = Array(1e5).fill('a'); let n = 0; for (;;) n += String.raw({ raw }).length",
  "const a = Array(1e5).fill(1); let n = 0; for (;;) n += a.values().toArray().length",
  "const a = Array(1e5).fill(1); let n = 0; for (;;) n += a.values().drop(1e9).toArray().length",
  "const s = 'ab'.repeat(1e5); let n = 0; for (;;) n += /b/g[Symbol.replace](s, 'c').length",
  "const p = 'x'.repeat(2e4); const a = Array.from({length: 2000}, (_, i) => p + (2000 - i)); a.sort(); return a.length",
  "/(a+)+$/.test('a'.repeat(40) + 'b')",
  // bulk memory (memcpy, memset) is one WebAssembly instruction whatever its size (the second attacker review)
  "let s = 'x'; for (let i = 0; i < 23; i++) s += s; s = s.slice(1); let n = 0; for (;;) n += s.slice(1).length",
  "const a = new Uint8Array(1.5e7); for (;;) a.copyWithin(0, 1)",
  "const a = new Uint8Array(1.5e7); for (;;) a.fill(1)",
  "let f = function () { return 1; }; for (let i = 0; i < 50000; i++) f = f.bind(null); return f.name.length",
  "let s = 'x'.repeat(2e5); for (;;) s = s + s.slice(0, 1e5)",
  // native recursion past the host's stack: a long chain of iterator helpers
  "let it = [1].values(); for (let i = 0; i < 5000; i++) it = it.map((x) => x); return it.next().value",
  // a thrown value whose description spins
  "throw { toString() { for (;;) {} } }",
];

describe("native work", () => {
  it.each(NATIVE_LOOP_EXPRESSIONS)("stops %s with expression.budget_exceeded", async (source) => {
    expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.budget_exceeded");
    // a call that overran between two polls traps its module: the evaluator moves to a fresh one
    await evaluator.ready();
    expect(evaluator.evaluate("[1, 2, 3].map((x) => x * 2).join()", {})).toBe("2,4,6");
  });

  it("charges a stopped call no more than about twice its budget, however the work is made", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NATIVE_LOOP_EXPRESSIONS.filter((source) => source.includes("for (;;)"))),
        async (source) => {
          await evaluator.ready();
          const before = evaluator.pollsUsed;
          expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.budget_exceeded");
          const charged = evaluator.pollsUsed - before;
          expect(charged).toBeGreaterThanOrEqual(STEP_BUDGET);
          // twice the budget until the trap, plus the fresh sandbox's prelude
          expect(charged).toBeLessThan(STEP_BUDGET * 2 + 100);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("charges the expression's own work, not decoding its bindings or serializing a result within the cap", async () => {
    // about 900 KB of JSON: decoding it in the sandbox takes about 60 polls of fuel, the budget is 20
    const items = Array.from({ length: 20_000 }, (_, i) => ({ id: `task-${i}`, v: i, tags: ["a", "b"] }));
    expect(evaluator.evaluate("inputs.items.length + 1", { inputs: { items } })).toBe(20_001);
    // a result of about 500 KB: serializing it takes about 40 polls
    expect(evaluator.evaluate("Array(250000).fill(0)", {})).toHaveLength(250_000);
    // past the allowance for the largest result: too large, whether native work or a getter made it
    // (a call that overran traps its module: ready() moves the evaluator to a fresh one)
    expect(engineErrorCodeOf(() => evaluator.evaluate("Array(1000000)", {}))).toBe(
      "expression.result_too_large",
    );
    await evaluator.ready();
    expect(engineErrorCodeOf(() => evaluator.evaluate("({ get x() { for (;;) {} } })", {}))).toBe(
      "expression.result_too_large",
    );
    await evaluator.ready();
    const shared = "const a = Array(2000).fill('x'.repeat(500)); return Array(3000).fill(a)";
    // a result of 3 GB of JSON from 1 MB of data: the memory limit stops it first
    expect(engineErrorCodeOf(() => evaluator.evaluate(shared, {}))).toBe("expression.memory_exceeded");
  });

  it("does not charge a fresh sandbox's setup to its first caller", async () => {
    const fresh = await createEvaluator({ pathShortcut: false, stepBudget: STEP_BUDGET });
    try {
      expect(fresh.evaluate("1 + 2", {})).toBe(3);
      expect(fresh.pollsUsed).toBeLessThan(1);
    } finally {
      fresh.dispose();
    }
  });

  it("gives ordinary expressions the same results", () => {
    const input = { items: [3, 1, 2], name: "Ada" };
    expect(
      evaluator.evaluate(
        "[input.items.toSorted().join('-'), input.items.includes(2), [[1, [2]], 3].flat(Infinity), [1, 2].flatMap((x) => [x, x]), input.name.padStart(5, '*').toUpperCase(), [].concat([1], 2, [[3]])]",
        { input },
      ),
    ).toEqual(["1-2-3", true, [1, 2, 3], [1, 1, 2, 2], "**ADA", [1, 2, [3]]]);
    expect(evaluator.evaluate("[].indexOf.call('abc', 'b') + [].join.call(new Uint8Array([1, 2]))", {})).toBe(
      "11,2",
    );
    expect(evaluator.evaluate("typeof Proxy", {})).toBe("undefined");
  });
});
