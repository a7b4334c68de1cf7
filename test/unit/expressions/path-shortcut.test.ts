/**
 * The path shortcut (`inputs.n` read without the sandbox) answers exactly what the sandbox
 * answers, and leaves everything else to it: checked against an evaluator with the shortcut off.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { readPathShortcut } from "../../../engine/expressions/path-shortcut.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { QuickJSSandbox } from "../../../engine/expressions/quickjs-sandbox.ts";

let withShortcut: Evaluator;
let sandboxOnly: Evaluator;
beforeAll(async () => {
  withShortcut = await createEvaluator();
  sandboxOnly = await createEvaluator({ pathShortcut: false });
});
afterAll(() => {
  withShortcut.dispose();
  sandboxOnly.dispose();
});

type Outcome = { value: unknown } | { code: string };

function outcome(evaluator: Evaluator, source: string, bindings: Record<string, unknown>): Outcome {
  try {
    return { value: evaluator.evaluate(source, bindings) };
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return { code: error.code };
  }
}

/** Names that exercise every refusal: reserved, forbidden, inherited, array members, `this`. */
const KEYS = ["a", "b", "n", "this", "true", "length", "toJSON", "__proto__", "constructor", "toString", "0"];

const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY, undefined),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { maxKeys: 4 }),
  ),
}));

const bindingsArb = fc
  .dictionary(fc.constantFrom(...KEYS), tree.node, { maxKeys: 5 })
  // JSON.parse makes `__proto__` an own data property, as state read from storage has it
  .map(
    (bindings) =>
      ({ ...JSON.parse(JSON.stringify(bindings) ?? "{}"), ...bindings }) as Record<string, unknown>,
  );

const pathArb = fc
  .tuple(fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 4 }), fc.constantFrom("", " ", "\n"))
  .map(([names, pad]) => `${pad}${names.join(".")}${pad}`);

describe("path shortcut", () => {
  it("gives the sandbox's answer for every path over random bindings (value or error code)", () => {
    fc.assert(
      fc.property(bindingsArb, pathArb, (bindings, path) => {
        expect(outcome(withShortcut, path, bindings)).toEqual(outcome(sandboxOnly, path, bindings));
      }),
      { numRuns: 1500 },
    );
  });

  it("answers plain paths itself, with a fresh copy", () => {
    const state = { files: { total: 3, names: ["a.ts"] } };
    const read = readPathShortcut("this.files", { this: state });
    expect(read).toEqual({ value: { total: 3, names: ["a.ts"] } });
    expect((read?.value as object) === state.files).toBe(false);
    expect(readPathShortcut(" inputs.n ", { inputs: { n: -0 } })).toEqual({ value: 0 });
    expect(readPathShortcut("inputs.missing", { inputs: {} })).toEqual({ value: undefined });
  });

  it("leaves to the sandbox what it cannot be sure of", () => {
    const bindings = {
      inputs: { n: 1, items: [1, 2], toJSON: undefined },
      x: { toJSON: () => 1, y: 2 },
      bare: Object.create(null) as Record<string, unknown>,
      hidden: Object.defineProperty({}, "n", { value: 5, enumerable: false }),
    };
    for (const source of [
      "inputs.items.length", // a member of an array
      "inputs.toString", // inherited
      "bare.toString", // inherited by the sandbox's copy, though this object has no prototype
      "hidden.n", // not enumerable: a JSON copy leaves it out
      "inputs.constructor", // forbidden
      "inputs.n.toFixed", // a member of a number
      "inputs.missing.deeper", // a step into undefined: the sandbox throws
      "x.y", // an object with its own toJSON: the sandbox sees its JSON form
      "true", // a reserved word, whatever the bindings say
      "Math.PI", // not a binding
      "inputs.n + 1", // not a path
      "inputs['n']",
    ]) {
      expect(readPathShortcut(source, bindings), source).toBeUndefined();
    }
  });

  it("never builds a sandbox for paths only, and builds one when something else comes", async () => {
    const evaluator = await createEvaluator();
    const before = QuickJSSandbox.built;
    try {
      expect(evaluator.evaluate("inputs.n", { inputs: { n: 7 } })).toBe(7);
      expect(evaluator.evaluate("this.seen", { this: { seen: [1] } })).toEqual([1]);
      expect(QuickJSSandbox.built).toBe(before);
      expect(evaluator.evaluate("inputs.n + 1", { inputs: { n: 7 } })).toBe(8);
      expect(QuickJSSandbox.built).toBe(before + 1);
    } finally {
      evaluator.dispose();
    }
  });
});
