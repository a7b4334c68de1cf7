/**
 * The isolate-wide cap on live sandboxes (`engine/expressions/live-sandboxes.ts`): thousands of run
 * objects in one isolate must not fill the shared WebAssembly module's memory. Without the cap a
 * Node process fails at about 14,000 live evaluators (the module's 2 GiB ceiling, about 150 KB a
 * sandbox: too slow for a test), so these tests lower the cap to a handful and count sandboxes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import {
  liveSandboxCount,
  MAX_LIVE_SANDBOXES,
  setLiveSandboxCapForTests,
} from "../../../engine/expressions/live-sandboxes.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { QuickJSSandbox } from "../../../engine/expressions/quickjs-sandbox.ts";

const CAP = 8;
const EXPRESSION = "items.filter((item) => item % 3 === k).map((item) => item * 2).length + k";
const ITEMS = Array.from({ length: 3000 }, (_, i) => i);

let evaluators: Evaluator[] = [];
beforeEach(() => {
  for (const evaluator of evaluators) evaluator.dispose();
  evaluators = [];
  expect(liveSandboxCount()).toBe(0);
  setLiveSandboxCapForTests(CAP);
});
afterEach(() => {
  for (const evaluator of evaluators) evaluator.dispose();
  evaluators = [];
  setLiveSandboxCapForTests(MAX_LIVE_SANDBOXES);
});

async function evaluatorsOf(count: number): Promise<Evaluator[]> {
  for (let i = 0; i < count; i++) evaluators.push(await createEvaluator());
  return evaluators;
}

describe("live sandboxes of an isolate", () => {
  it("never exceed the cap, and every evaluator past it still evaluates correctly", async () => {
    const all = await evaluatorsOf(CAP * 5);
    const builtBefore = QuickJSSandbox.built;
    for (const [i, evaluator] of all.entries()) {
      expect(evaluator.evaluate("n * 2 + 1", { n: i })).toBe(i * 2 + 1);
      expect(liveSandboxCount()).toBe(Math.min(i + 1, CAP));
    }
    // a second round: each one's sandbox was freed for a newer one and is rebuilt on its next call
    for (const [i, evaluator] of all.entries()) {
      expect(evaluator.evaluate("n * 3", { n: i })).toBe(i * 3);
      expect(liveSandboxCount()).toBe(CAP);
    }
    expect(QuickJSSandbox.built - builtBefore).toBe(all.length * 2);
  });

  it("frees the least recently used sandbox, not one in use", async () => {
    const all = await evaluatorsOf(CAP + 1);
    for (const evaluator of all.slice(0, CAP)) evaluator.evaluate("1 + 1", {});
    // the first one is used again: the second is now the oldest and the one freed
    all[0]?.evaluate("2 + 2", {});
    const builtBefore = QuickJSSandbox.built;
    all[CAP]?.evaluate("3 + 3", {});
    all[0]?.evaluate("4 + 4", {});
    expect(QuickJSSandbox.built - builtBefore).toBe(1);
    all[1]?.evaluate("5 + 5", {});
    expect(QuickJSSandbox.built - builtBefore).toBe(2);
    expect(liveSandboxCount()).toBe(CAP);
  });

  it("gives an evicted evaluator the same result, without charging it for the rebuild", async () => {
    const [evaluator, ...others] = await evaluatorsOf(CAP + 1);
    if (evaluator === undefined) throw new Error("no evaluator");
    const bindings = { items: ITEMS, k: 1 };
    const before = evaluator.pollsUsed;
    const first = evaluator.evaluate(EXPRESSION, bindings);
    expect(before).toBe(0);
    const beforeCached = evaluator.pollsUsed;
    expect(evaluator.evaluate(EXPRESSION, bindings)).toEqual(first);
    const cachedCall = evaluator.pollsUsed - beforeCached;

    const builtBefore = QuickJSSandbox.built;
    for (const other of others) other.evaluate("1 + 2", {});
    const beforeRebuilt = evaluator.pollsUsed;
    expect(evaluator.evaluate(EXPRESSION, bindings)).toEqual(first);
    const rebuiltCall = evaluator.pollsUsed - beforeRebuilt;
    expect(QuickJSSandbox.built - builtBefore).toBe(others.length + 1);
    // the first call compiled; the rebuild compiles again, and runs its prelude, but neither is the
    // caller's work. (Not exactly equal: the allocator's paths differ a little in a fresh runtime.)
    const compileWork = beforeCached - cachedCall;
    expect(compileWork).toBeGreaterThan(0.05);
    expect(Math.abs(rebuiltCall - cachedCall)).toBeLessThan(compileWork / 10);
  });
});
