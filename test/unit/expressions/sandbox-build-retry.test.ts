/**
 * When the shared module's memory is full anyway (sandboxes under the cap that grew large), a new
 * sandbox's prelude fails with QuickJS's out-of-memory: the evaluator frees half of the live
 * sandboxes and builds once more, so a burst is slower rather than failing. Filling the module's
 * 2 GiB for real takes too long for a test, so the sandbox's constructor here fails on request the
 * way the prelude does (an error thrown before anything is allocated); the rest is the real one.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { liveSandboxCount } from "../../../engine/expressions/live-sandboxes.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { isDiscarded, loadQuickJS } from "../../../engine/expressions/quickjs-module.ts";

const failures = vi.hoisted(() => ({ next: 0 }));

vi.mock("../../../engine/expressions/quickjs-sandbox.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../engine/expressions/quickjs-sandbox.ts")>();
  class FailingOnRequest extends actual.QuickJSSandbox {
    constructor(...args: ConstructorParameters<typeof actual.QuickJSSandbox>) {
      if (failures.next > 0) {
        failures.next -= 1;
        throw new Error('the sandbox prelude failed: "InternalError"');
      }
      super(...args);
    }
  }
  return { ...actual, QuickJSSandbox: FailingOnRequest };
});

let evaluators: Evaluator[] = [];
afterEach(() => {
  for (const evaluator of evaluators) evaluator.dispose();
  evaluators = [];
  failures.next = 0;
});

describe("a sandbox whose prelude runs out of memory", () => {
  it("is built again after half of the live sandboxes are freed", async () => {
    for (let i = 0; i < 9; i++) evaluators.push(await createEvaluator());
    const [late, ...earlier] = evaluators;
    for (const [i, evaluator] of earlier.entries()) expect(evaluator.evaluate("n + 1", { n: i })).toBe(i + 1);
    expect(liveSandboxCount()).toBe(8);
    const module = await loadQuickJS();

    failures.next = 1;
    expect(late?.evaluate("n * 2", { n: 21 })).toBe(42);
    expect(liveSandboxCount()).toBe(5); // 4 of the 8 kept, and the new one
    expect(isDiscarded(module)).toBe(false);
    // the freed ones rebuild on their next call
    for (const [i, evaluator] of earlier.entries()) expect(evaluator.evaluate("n - 1", { n: i })).toBe(i - 1);
  });

  it("fails as before when the second build fails too", async () => {
    for (let i = 0; i < 3; i++) evaluators.push(await createEvaluator());
    const [late, ...earlier] = evaluators;
    for (const evaluator of earlier) evaluator.evaluate("1 + 1", {});
    failures.next = 2;
    expect(() => late?.evaluate("1 + 2", {})).toThrow(/the sandbox prelude failed/);
    await late?.ready();
    expect(late?.evaluate("1 + 2", {})).toBe(3);
  });
});
