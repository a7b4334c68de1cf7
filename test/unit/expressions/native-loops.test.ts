/**
 * Proves that built-ins which loop natively (QuickJS never polls inside them) are charged to the
 * step budget: over real, sparse and array-like receivers, nested arrays and big strings, each
 * stops with `expression.budget_exceeded` instead of blocking the isolate; the wrappers that
 * meter them look and behave like the natives they replace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { engineErrorCodeOf } from "../../support/engine-error-code.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator({ pathShortcut: false });
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
  "[].fill.call({length: 3e8}, 1, 3e8 - 1)",
  "[].sort.call({length: 3e8})",
  "[].forEach.call({length: 3e8}, (x) => x)",
  "[].some.call({length: 3e8}, (x) => x)",
  "[].slice.call({length: 3e8}, 3e8 - 1)",
  "[].concat({length: 3e8, [Symbol.isConcatSpreadable]: true}).length",
  "[new Array(2 ** 32 - 1)].flat()",
  "[[new Array(2 ** 32 - 1)]].flat(Infinity)",
  "[1].flatMap(() => new Array(2 ** 32 - 1))",
  "const a = Array.from({length: 1e6}, (_, i) => i); let r = 0; for (let k = 0; k < 1000; k++) r += a.indexOf(-1); return r",
  "const s = 'x'.repeat(1e7); let r = 0; for (let k = 0; k < 1000; k++) r += s.indexOf('y'); return r",
  "let r = 0; for (let k = 0; k < 1000; k++) r += 'x'.repeat(1e7).length; return r",
];

describe("native loops", () => {
  it.each(NATIVE_LOOP_EXPRESSIONS)("stops %s with expression.budget_exceeded", (source) => {
    expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.budget_exceeded");
    expect(evaluator.evaluate("[1, 2, 3].indexOf(2)", {})).toBe(1);
  });

  it("refuses an array-like whose length is a getter (it could lie to the native method)", () => {
    const source =
      "(() => { let n = 0; return [].includes.call({ get length() { return n++ ? 3e8 : 0 } }, 1) })()";
    expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.runtime");
    expect(evaluator.evaluate("typeof Proxy", {})).toBe("undefined");
  });

  it("refuses a length that is an object (its valueOf could answer the wrapper 0 and the native 3e8)", () => {
    for (const source of [
      "(() => { let n = 0; return [].includes.call({ length: { valueOf: () => (++n === 1 ? 0 : 3e8) } }, 1) })()",
      "(() => { let n = 0; return [].lastIndexOf.call({ length: { valueOf() { n++; return n === 1 ? 1 : 3e8 } } }, 1) })()",
    ]) {
      expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.runtime");
    }
    // a primitive length converts the same way every time, so it is charged, not refused
    expect(evaluator.evaluate("[].indexOf.call({ length: '2', 0: 'a', 1: 'b' }, 'b')", {})).toBe(1);
  });

  it("keeps the wrappers indistinguishable from the natives", () => {
    expect(evaluator.evaluate("[].indexOf === Array.of().indexOf && 'ab'.at === 'cd'.at", {})).toBe(true);
    expect(
      evaluator.evaluate("[[].indexOf.name, [].indexOf.length, [].splice.length, ''.padStart.length]", {}),
    ).toEqual(["indexOf", 1, 2, 1]);
    expect(evaluator.evaluate("String([].join)", {})).toBe("function join() {\n    [native code]\n}");
    expect(
      evaluator.evaluate("Object.getOwnPropertyDescriptor(Object.getPrototypeOf([]), 'map').enumerable", {}),
    ).toBe(false);
    expect(evaluator.evaluate("Object.isFrozen([].map)", {})).toBe(true);
    expect(
      evaluator.evaluate(
        "(() => { try { new [].map(); return 'built' } catch (e) { return e.name } })()",
        {},
      ),
    ).toBe("TypeError");
    expect(evaluator.evaluate("(() => 1).toString()", {})).toBe("() => 1");
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
  });
});
