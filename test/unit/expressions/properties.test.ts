/** Property tests: the sandbox hands back only fresh plain data, JSON round-trips, and templates leave plain text alone. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { parseTemplate, renderTemplate } from "../../../engine/expressions/template.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  // these tests are about the sandbox itself: the path shortcut (path-shortcut.test.ts) is off
  evaluator = await createEvaluator({ pathShortcut: false });
});
afterAll(() => evaluator.dispose());

/** Expressions over two JSON bindings `x` and `y` that return data built from them. */
const expressions = fc.constantFrom(
  "x",
  "[x, y]",
  "({ a: x, b: [y] })",
  "Array.isArray(x) ? x.slice().reverse() : x",
  "JSON.parse(JSON.stringify(x))",
  "x !== null && typeof x === 'object' ? Object.entries(x) : [x]",
  "x !== null && typeof x === 'object' ? Object.assign({}, x, { extra: y }) : y",
  "typeof x",
  "[x].concat(y).filter(v => v !== null).map(v => ({ v }))",
  "let copy = x; return copy",
  "const copy = { ...(typeof y === 'object' && y !== null ? y : {}) }; return copy",
);

function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value === "object" && value !== null && !found.has(value)) {
    found.add(value);
    for (const item of Object.values(value)) objectsIn(item, found);
  }
  return found;
}

function assertPlainData(value: unknown): void {
  if (value === null || value === undefined) return;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean") return;
  expect(type).toBe("object");
  const prototype: unknown = Object.getPrototypeOf(value);
  expect([Object.prototype, Array.prototype, null]).toContain(prototype);
  for (const key of Reflect.ownKeys(value as object)) {
    expect(typeof key).toBe("string");
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    expect(descriptor && "value" in descriptor).toBe(true);
    assertPlainData(descriptor?.value);
  }
}

function mutateDeeply(value: unknown): void {
  for (const object of objectsIn(value)) {
    if (Array.isArray(object)) object.push("mutated");
    else (object as Record<string, unknown>).mutated = true;
  }
}

describe("the sandbox boundary", () => {
  it("returns only fresh plain data, and mutating it never touches the bindings", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), expressions, (x, y, source) => {
        const bindings = { x, y };
        const before = structuredClone(bindings);
        let result: unknown;
        try {
          result = evaluator.evaluate(source, bindings);
        } catch (error) {
          expect(error).toBeInstanceOf(EngineError);
          return;
        }
        assertPlainData(result);
        const given = objectsIn(bindings);
        for (const object of objectsIn(result)) expect(given.has(object)).toBe(false);
        mutateDeeply(result);
        expect(bindings).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips any JSON value through evaluate('x', { x })", () => {
    // Bindings travel as JSON, which has no -0: it comes back as 0. Everything else is exact.
    const positiveZero = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        expect(evaluator.evaluate("x", { x })).toEqual(positiveZero(x));
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with the host's own JavaScript on member reads, so copying only what is read changes nothing", () => {
    const key = fc.constantFrom("a", "b", "c", "hasOwnProperty", "length", "toString");
    const scope = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.jsonValue(), { maxKeys: 4 });
    const source = fc.oneof(
      fc.tuple(key, key).map(([p, q]) => `[this.${p}, s.${q}]`),
      key.map((p) => `s.${p} === undefined ? 'missing' : typeof s.${p}`),
      key.map((p) => `typeof this?.${p} === 'function' ? 'fn' : this.${p}`),
      key.map((p) => `[Object.keys(s).length, s.${p} ?? null]`),
      key.map((p) => `s.hasOwnProperty('${p}') + ':' + ('${p}' in s)`),
    );
    fc.assert(
      fc.property(scope, scope, source, (self, s, text) => {
        const native = new Function("s", `"use strict"; return (${text});`) as (scope: unknown) => unknown;
        const clean = (value: unknown) =>
          value === undefined ? undefined : JSON.parse(JSON.stringify(value));
        const expected = clean(native.call(structuredClone(self), structuredClone(s)));
        expect(evaluator.evaluate(text, { this: self, s })).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("answers any short source with a value or an EngineError, and keeps working", () => {
    const piece = fc.constantFrom(
      "x",
      "y",
      "1",
      "'s'",
      "(",
      ")",
      "{",
      "}",
      "[",
      "]",
      "=>",
      ".",
      ",",
      ";",
      "+",
      "?",
      ":",
      "/",
      "`",
      "${",
      "return ",
      "const a = ",
      "while (true) {}",
      "this",
      "[].map",
      "constr",
      "uctor",
      "['a' + 'b']",
      " ",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        try {
          const value = evaluator.evaluate(pieces.join(""), { x: [1, 2], y: { a: "b" }, this: { z: 1 } });
          assertPlainData(value);
        } catch (error) {
          expect(error).toBeInstanceOf(EngineError);
        }
        expect(evaluator.evaluate("x.length", { x: [1, 2] })).toBe(2);
      }),
      { numRuns: 300 },
    );
  });
});

describe("templates", () => {
  it("return text without '{{' unchanged", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 80 }).filter((text) => !text.includes("{{")),
        (text) => {
          const evaluate = () => {
            throw new Error("must not evaluate");
          };
          expect(renderTemplate(text, evaluate)).toBe(text);
        },
      ),
    );
  });

  it("find exactly the expressions they were built from", () => {
    const literal = fc.string({ maxLength: 12 }).filter((text) => !text.includes("{") && !text.includes("}"));
    const expression = fc.constantFrom(
      "a",
      "a.b[0]",
      'x ? {"k": 1} : {"k": 2}',
      "list.filter(f => { return f.ok })",
      "'}}' + \"{{\"",
      "`${ {v: 1}.v }}`",
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(literal, expression), { maxLength: 5 }), literal, (pairs, tail) => {
        const text = pairs.map(([before, source]) => `${before}{{ ${source} }}`).join("") + tail;
        const found = parseTemplate(text).flatMap((part) =>
          part.kind === "expression" ? [part.source] : [],
        );
        expect(found).toEqual(pairs.map(([, source]) => source));
      }),
    );
  });

  it("never fail with anything but an EngineError", () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 40,
          unit: fc.constantFrom("{", "}", "'", '"', "`", "/", "*", "$", "a", " ", "\n"),
        }),
        (text) => {
          try {
            parseTemplate(text);
          } catch (error) {
            expect(error).toBeInstanceOf(EngineError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
