/** Proves every evaluation is bounded (steps, memory, stack) and the evaluator keeps working afterwards. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { engineErrorCodeOf } from "../../support/engine-error-code.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  // these tests are about the sandbox itself: the path shortcut (path-shortcut.test.ts) is off
  evaluator = await createEvaluator({ pathShortcut: false });
});
afterAll(() => evaluator.dispose());

describe("the step budget", () => {
  it.each([
    "while (true) {}",
    "(() => { for (;;) {} })()",
    "let i = 0; while (true) { i++ } return i",
    "try { while (true) {} } catch { return 'caught' }",
    "(() => { try { for (;;) {} } finally { return 'finally' } })()",
    "[1, 2, 3].map(() => { while (true) {} })",
    "/(a+)+$/.test('a'.repeat(40) + 'b')",
  ])("stops %s with expression.budget_exceeded", (source) => {
    expect(engineErrorCodeOf(() => evaluator.evaluate(source, {}))).toBe("expression.budget_exceeded");
    expect(evaluator.evaluate("input * 2", { input: 21 })).toBe(42);
  });

  it("leaves ordinary heavy work far below the budget", () => {
    const input = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`f${i}`, { success: i % 2 === 0 }]),
    );
    const failed = evaluator.evaluate(
      "Object.entries(input).filter(([_, result]) => !result.success).map(([file, _]) => file)",
      { input },
    );
    expect(failed).toHaveLength(2500);
    const sorted = evaluator.evaluate("[...input].sort((a, b) => b - a)[0]", {
      input: Array.from({ length: 10_000 }, (_, i) => i),
    });
    expect(sorted).toBe(9999);
  });

  it("is per call: a smaller budget stops a loop a larger one finishes", async () => {
    const small = await createEvaluator({ stepBudget: 2 });
    try {
      const loop = "let s = 0; for (let i = 0; i < 1e6; i++) s += i; return s";
      expect(engineErrorCodeOf(() => small.evaluate(loop, {}))).toBe("expression.budget_exceeded");
      expect(small.evaluate("1 + 1", {})).toBe(2);
      expect(evaluator.evaluate(loop, {})).toBe(499999500000);
    } finally {
      small.dispose();
    }
  });
});

describe("the memory limit", () => {
  it("stops 'x'.repeat(1e9) with expression.memory_exceeded", () => {
    expect(engineErrorCodeOf(() => evaluator.evaluate("'x'.repeat(1e9)", {}))).toBe(
      "expression.memory_exceeded",
    );
    expect(evaluator.evaluate("'x'.repeat(10).length", {})).toBe(10);
  });

  it.each([
    "const a = []; while (true) a.push({ x: [1, 2, 3] })",
    "Array.from({ length: 1e9 }, (_, i) => i).length",
    "let s = 'ab'; while (true) s += s; return s.length",
  ])("stops unbounded growth of %s with a memory or budget error", (source) => {
    expect(["expression.memory_exceeded", "expression.budget_exceeded"]).toContain(
      engineErrorCodeOf(() => evaluator.evaluate(source, {})),
    );
    expect(evaluator.evaluate("[1, 2].length", {})).toBe(2);
  });

  it("refuses bindings larger than the limit, then carries on", async () => {
    const small = await createEvaluator({ memoryLimitBytes: 2 * 1024 * 1024 });
    try {
      const big = "y".repeat(4 * 1024 * 1024);
      expect(engineErrorCodeOf(() => small.evaluate("big.length", { big }))).toBe(
        "expression.memory_exceeded",
      );
      expect(small.evaluate("small.length", { small: "abc" })).toBe(3);
    } finally {
      small.dispose();
    }
  });
});

describe("the stack limit", () => {
  it("stops endless recursion with expression.budget_exceeded", () => {
    expect(engineErrorCodeOf(() => evaluator.evaluate("const f = (n) => f(n + 1); return f(0)", {}))).toBe(
      "expression.budget_exceeded",
    );
    expect(evaluator.evaluate("const f = (n) => (n === 0 ? 0 : 1 + f(n - 1)); return f(100)", {})).toBe(100);
  });

  it("copes with deeply nested data in and out", () => {
    let nested: unknown = 0;
    for (let i = 0; i < 200; i++) nested = [nested];
    expect(evaluator.evaluate("x", { x: nested })).toEqual(nested);
  });
});

describe("asynchronous code", () => {
  it("never runs queued jobs and rebuilds the context afterwards", () => {
    expect(
      engineErrorCodeOf(() => evaluator.evaluate("(async () => { await 0; while (true) {} })()", {})),
    ).toBe("expression.runtime");
    expect(evaluator.evaluate("Promise.resolve(1).then(() => { while (true) {} }) && 'queued'", {})).toBe(
      "queued",
    );
    expect(evaluator.evaluate("input + 1", { input: 1 })).toBe(2);
  });
});
