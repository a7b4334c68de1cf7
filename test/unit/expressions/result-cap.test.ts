/**
 * Every sandbox result is capped (issue 9, item 4): a result whose JSON is larger than
 * `MAX_RESULT_BYTES` (1 MiB of UTF-8) is `expression.result_too_large`, refused inside the sandbox
 * before the text crosses to the host when its length alone says so, and counted in bytes on the
 * host otherwise. The path shortcut gives the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator, MAX_RESULT_BYTES } from "../../../engine/expressions/quickjs-evaluator.ts";
import { engineErrorCodeOf } from "../../support/engine-error-code.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("the result cap", () => {
  it("is 1 MiB", () => {
    expect(MAX_RESULT_BYTES).toBe(1024 * 1024);
  });

  it.each([
    ["a long string", "'x'.repeat(2 * 1024 * 1024)"],
    ["a string one byte past the cap", `'x'.repeat(${MAX_RESULT_BYTES + 1})`],
    ["an object holding a long string", "({ a: 'x'.repeat(1024 * 1024) })"],
    ["an array of many items", "Array.from({ length: 300000 }, (_, i) => i)"],
    ["a string short in characters but long in UTF-8", "'é'.repeat(600000)"],
    ["an object short in characters but long in UTF-8", "({ a: '€'.repeat(400000) })"],
  ])("refuses %s with expression.result_too_large, then carries on", (_what, source) => {
    expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.result_too_large");
    expect(evaluator.evaluate("1 + 1", {})).toBe(2);
  });

  it("lets a result of exactly the cap through", () => {
    expect((evaluator.evaluate(`'x'.repeat(${MAX_RESULT_BYTES})`, {}) as string).length).toBe(
      MAX_RESULT_BYTES,
    );
    const json = evaluator.evaluate(`['x'.repeat(${MAX_RESULT_BYTES - 4})]`, {}) as string[];
    expect(JSON.stringify(json).length).toBe(MAX_RESULT_BYTES);
  });

  it("applies to a plain path read without the sandbox too", () => {
    const big = "y".repeat(MAX_RESULT_BYTES + 1);
    expect(engineErrorCodeOf(() => evaluator.evaluate("inputs.big", { inputs: { big } }))).toBe(
      "expression.result_too_large",
    );
    expect(evaluator.evaluate("inputs.small", { inputs: { small: "ok" } })).toBe("ok");
  });

  it("follows the option", async () => {
    const small = await createEvaluator({ maxResultBytes: 10 });
    try {
      expect(small.evaluate("'x'.repeat(10)", {})).toBe("xxxxxxxxxx");
      expect(engineErrorCodeOf(() => small.evaluate("'x'.repeat(11)", {}))).toBe(
        "expression.result_too_large",
      );
      expect(engineErrorCodeOf(() => small.evaluate("[1, 2, 3, 4, 5]", {}))).toBe(
        "expression.result_too_large",
      );
    } finally {
      small.dispose();
    }
  });
});

describe("what a thrown value carries out", () => {
  it.each(["throw new Error('x'.repeat(8 * 1024 * 1024))", "throw 'x'.repeat(8 * 1024 * 1024)"])(
    "is cut to a few KiB: %s",
    (source) => {
      try {
        evaluator.evaluate(source, {});
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).code).toBe("expression.runtime");
        expect((error as EngineError).message.length).toBeLessThan(5000);
      }
    },
  );
});
