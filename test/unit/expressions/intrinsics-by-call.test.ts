/**
 * Proves that every object an evaluation can get by CALLING a built-in (not only by reading
 * properties from the global object) is either frozen all along its prototype chain or fresh:
 * `Object.getPrototypeOf(Iterator.concat([]))` was writable, so one evaluation could plant data
 * the next one read. Runs inside a fresh sandbox: every function reachable from the intrinsics
 * below is called with a few harmless receivers and arguments.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator({ pathShortcut: false, stepBudget: 1_000_000 });
});
afterAll(() => evaluator.dispose());

/** Collects functions reachable from the roots, calls each, and returns the unfrozen shared objects. */
const PROBE = `(() => {
  const roots = [Object, Array, String, Number, Boolean, Symbol, BigInt, Math, JSON, Reflect, Iterator, Map, Set,
    WeakMap, WeakSet, RegExp, Date, Promise, ArrayBuffer, DataView, Uint8Array, Float64Array, Error, TypeError,
    typeof Intl === "object" ? Intl : {}, typeof Atomics === "object" ? Atomics : {}];
  const functions = new Map();
  const seen = new Set();
  const pending = roots.map((root, i) => [root, "root" + i]);
  while (pending.length > 0) {
    const [value, path] = pending.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    if (typeof value === "function") functions.set(value, path);
    pending.push([Object.getPrototypeOf(value), path + ".[[Prototype]]"]);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if ("value" in d) pending.push([d.value, path + "." + String(key)]);
      else pending.push([d.get, path + ".get " + String(key)], [d.set, path + ".set " + String(key)]);
    }
  }
  const receivers = () => [undefined, [1, 2], "ab", new Map([[1, 2]]), new Set([1]), /a/g, new Uint8Array(2),
    { next() { return { done: true }; } }, [1].values(), "a".matchAll(/a/g)];
  const argumentLists = () => [[], [[]], [[1]], ["a"], [/a/g], [{ next() { return { done: true }; } }], [(x) => x]];
  const unfrozen = [];
  const chain = (value) => {
    const objects = [];
    for (let o = value; (typeof o === "object" || typeof o === "function") && o !== null; o = Object.getPrototypeOf(o)) objects.push(o);
    return objects;
  };
  for (const [fn, path] of functions) {
    for (let r = 0; r < receivers().length; r++) {
      for (let a = 0; a < argumentLists().length; a++) {
        let first, second;
        try {
          first = chain(Reflect.apply(fn, receivers()[r], argumentLists()[a]));
          second = chain(Reflect.apply(fn, receivers()[r], argumentLists()[a]));
        } catch { continue; }
        for (let depth = 0; depth < first.length; depth++) {
          // shared between two calls with fresh receivers and arguments, and writable: a channel
          if (!Object.isFrozen(first[depth]) && first[depth] === second[depth]) unfrozen.push(path + " depth " + depth);
        }
      }
    }
  }
  return [functions.size, [...new Set(unfrozen)]];
})()`;

it("every object a built-in returns is frozen along its prototype chain, or fresh", () => {
  const [functionCount, unfrozen] = evaluator.evaluate(PROBE, {}) as [number, string[]];
  expect(functionCount).toBeGreaterThan(300);
  expect(unfrozen).toEqual([]);
});

it("Iterator.concat's prototype cannot carry data from one evaluation to the next", () => {
  const plant =
    "(() => { try { Object.getPrototypeOf(Iterator.concat([])).planted = 1 } catch {} return 0 })()";
  evaluator.evaluate(plant, {});
  expect(evaluator.evaluate("Object.getPrototypeOf(Iterator.concat([])).planted ?? 'clean'", {})).toBe(
    "clean",
  );
});
