/**
 * `Evaluator.check`: the compile-time half of `evaluate`. It throws exactly the syntax and
 * forbidden-name errors `evaluate` throws, runs nothing, and skips the sandbox for plain paths.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { QuickJSSandbox } from "../../../engine/expressions/quickjs-sandbox.ts";
import { expressionFixtures, transformFixtures } from "./reference-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const STATIC = new Set(["expression.syntax", "expression.forbidden"]);

function thrownBy(attempt: () => unknown): EngineError | undefined {
  try {
    attempt();
    return undefined;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
}

describe("Evaluator.check", () => {
  it.each([
    ["an operator without its operand", "this.count >", "expression.syntax", 1, undefined],
    ["a stray bracket", "a )", "expression.syntax", 1, 3],
    ["a bad token on the second line", "const a = 1;\nreturn a +* 2", "expression.syntax", 2, 11],
    ["a prototype", "this.constructor", "expression.forbidden", 1, 6],
    ["code generation", "Function('return 1')", "expression.forbidden", 1, 1],
  ])("refuses %s", (_what, source, code, line, column) => {
    const error = thrownBy(() => evaluator.check(source));
    expect(error).toMatchObject({ code, line, column });
  });

  it("runs nothing: endless loops, runtime errors and huge allocations pass", () => {
    for (const source of [
      "(() => { for (;;) {} })()",
      "while (true) {}",
      "null.x",
      "'x'.repeat(1e9)",
      "missing_name + 1",
    ]) {
      expect(thrownBy(() => evaluator.check(source))).toBeUndefined();
    }
  });

  it("accepts a statement body that declares a name also used as a binding elsewhere", () => {
    // `evaluate` passes bindings as parameters; `check` has none, so no declaration conflicts
    expect(thrownBy(() => evaluator.check("const item = input[0]; return item"))).toBeUndefined();
  });

  it("accepts every expression and transform of the reference workflows", () => {
    for (const fixture of [...expressionFixtures, ...transformFixtures]) {
      expect([fixture.from, thrownBy(() => evaluator.check(fixture.source))]).toEqual([
        fixture.from,
        undefined,
      ]);
    }
  });

  it("throws the static error evaluate throws, and only then", async () => {
    const sandboxOnly = await createEvaluator({ pathShortcut: false });
    const token = fc.constantFrom(
      "input",
      "this",
      ".",
      "x",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      "+",
      "*",
      "=>",
      ",",
      ";",
      "?",
      ":",
      "return",
      "const",
      "=",
      "1",
      "'s'",
      "`t`",
      "constructor",
      "eval",
      " ",
      "\n",
    );
    try {
      fc.assert(
        fc.property(fc.array(token, { minLength: 1, maxLength: 12 }), (tokens) => {
          const source = tokens.join(" ");
          const staticOf = (error: EngineError | undefined) =>
            error !== undefined && STATIC.has(error.code) ? error : undefined;
          // without bindings `evaluate` compiles exactly what `check` compiles
          const expected = staticOf(thrownBy(() => sandboxOnly.evaluate(source, {})));
          for (const checker of [evaluator, sandboxOnly]) {
            expect(thrownBy(() => checker.check(source))?.toJSON()).toEqual(expected?.toJSON());
          }
          // with bindings as parameters more can fail (`const input` redefines one), never less
          const withBindings = staticOf(
            thrownBy(() => sandboxOnly.evaluate(source, { input: 2, x: { a: 1 } })),
          );
          if (expected !== undefined) expect(withBindings?.code).toBe(expected.code);
        }),
        { numRuns: 300 },
      );
    } finally {
      sandboxOnly.dispose();
    }
  });

  it("builds no sandbox for a plain property path", async () => {
    const fresh = await createEvaluator();
    const built = QuickJSSandbox.built;
    fresh.check("this.total_files");
    fresh.check("inputs.file_path");
    expect(QuickJSSandbox.built).toBe(built);
    fresh.check("inputs.n + 1");
    expect(QuickJSSandbox.built).toBe(built + 1);
    fresh.dispose();
  });

  it("refuses to work once disposed", async () => {
    const fresh = await createEvaluator();
    fresh.dispose();
    expect(thrownBy(() => fresh.check("1 + 1"))?.code).toBe("expression.disposed");
  });
});
