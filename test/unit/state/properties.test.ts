import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyUpdates,
  type ComputedFieldSpecs,
  FORBIDDEN_PATH_SEGMENTS,
  formatPath,
  getPath,
  type PathSegment,
  type ResolvedUpdate,
  recompute,
  resolvePath,
  type StateData,
  setPath,
} from "../../../engine/state/index.ts";
import { createCountingEvaluator } from "./counting-evaluator.ts";
import { stateData } from "./state-data.ts";

const evaluator = createCountingEvaluator();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

describe("property: computed fields settle whatever the order of independent updates", () => {
  const computed: ComputedFieldSpecs = {
    summary: {
      from: ["computed.doubled_total", "this.meta_keys", "this.flag_text", "this.x_depth"],
      transform: "JSON.stringify(input)",
    },
    total: { from: ["this.a", "state.b"], transform: "(input[0] ?? 0) + (input[1] ?? 0)" },
    doubled_total: { from: "this.total", transform: "input * 2" },
    meta_keys: { from: "this.meta", transform: "Object.keys(input ?? {}).sort()" },
    flag_text: { from: "{{ flag ? 'on' : 'off' }}" },
    x_depth: { from: "this.x", transform: "input.y.z", fallback: -1 },
    name_length: {
      from: "raw.name",
      transform: "input === undefined ? 0 : input.length",
      on_error: "ignore",
    },
  };

  // Updates that commute: increments/decrements of counters, merges of distinct keys, sets of distinct paths.
  const counterUpdate = fc.record({
    path: fc.constantFrom("this.a", "state.b"),
    operation: fc.constantFrom("increment" as const, "decrement" as const),
    value: fc.integer({ min: -50, max: 50 }),
  });
  const mergeUpdate = fc
    .string({ minLength: 1, maxLength: 4 })
    .filter((key) => !FORBIDDEN_PATH_SEGMENTS.has(key))
    .map((key): ResolvedUpdate => ({ path: "this.meta", operation: "merge", value: { [key]: key.length } }));
  const setUpdates = fc.record(
    {
      flag: fc.boolean().map((value): ResolvedUpdate => ({ path: "this.flag", operation: "set", value })),
      x: fc
        .oneof(fc.constant({}), fc.record({ y: fc.record({ z: fc.integer() }) }))
        .map((value): ResolvedUpdate => ({ path: "this.x", operation: "set", value })),
      name: fc.string().map((value): ResolvedUpdate => ({ path: "raw.name", operation: "set", value })),
      total: fc.integer().map((value): ResolvedUpdate => ({ path: "global.total", operation: "set", value })),
    },
    { requiredKeys: [] },
  );
  const independentUpdates = fc
    .tuple(
      fc.array(counterUpdate, { maxLength: 8 }),
      fc.uniqueArray(mergeUpdate, {
        maxLength: 5,
        selector: (update) => Object.keys(update.value as object)[0],
      }),
      setUpdates,
    )
    .map(([counters, merges, sets]) => [...counters, ...merges, ...Object.values(sets)] as ResolvedUpdate[]);

  function applyOneByOne(start: StateData, updates: readonly ResolvedUpdate[]): StateData {
    let data = start;
    for (const update of updates) {
      const result = applyUpdates(data, [update], computed, evaluator);
      expect(result.errors).toEqual([]);
      data = result.data;
    }
    return data;
  }

  it("gives the same state and computed values for any permutation, equal to computing from scratch", () => {
    const start = recompute(stateData({ inputs: { file: "a.ts" } }), computed, evaluator).data;
    fc.assert(
      fc.property(
        independentUpdates.chain((updates) =>
          fc.tuple(
            fc.constant(updates),
            fc.shuffledSubarray(updates, { minLength: updates.length, maxLength: updates.length }),
          ),
        ),
        ([updates, shuffled]) => {
          const inOrder = applyOneByOne(start, updates);
          const reordered = applyOneByOne(start, shuffled);
          expect(reordered.state).toEqual(inOrder.state);
          expect(reordered.global).toEqual(inOrder.global);
          expect(reordered.computed).toEqual(inOrder.computed);
          const batched = applyUpdates(start, shuffled, computed, evaluator).data;
          expect(batched.computed).toEqual(inOrder.computed);
          const fromScratch = recompute(
            { ...inOrder, computed: {}, computedInputs: {} },
            computed,
            evaluator,
          );
          expect(fromScratch.data.computed).toEqual(inOrder.computed);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("property: applyUpdates never mutates its input", () => {
  const paths = fc.constantFrom(
    "this.n",
    "this.list",
    "this.obj",
    "this.obj.inner",
    "this.obj.inner[0]",
    "state.fresh.deep",
    "global.g",
    "global.g.k",
    "raw.file",
    "inputs.file",
    "this.doubled",
    "this.s",
  );
  const operation = fc.constantFrom(
    "set",
    "increment",
    "decrement",
    "append",
    "multiply",
    "merge",
  ) as fc.Arbitrary<ResolvedUpdate["operation"]>;
  const update = fc.record({ path: paths, operation, value: fc.jsonValue({ maxDepth: 3 }) });
  const computed: ComputedFieldSpecs = {
    doubled: { from: "this.n", transform: "typeof input === 'number' ? input * 2 : null" },
    keys: { from: "this.obj", transform: "Object.keys(input ?? {})" },
  };

  it("leaves deep-frozen data and values intact, whether the updates succeed or fail", () => {
    fc.assert(
      fc.property(fc.array(update, { maxLength: 6 }), (updates) => {
        const start = recompute(
          stateData({
            inputs: { file: "a.ts" },
            state: { n: 2, list: [1, { a: 1 }], obj: { inner: [1], k: "v" }, s: "text" },
            global: { g: { k: 1 } },
          }),
          computed,
          evaluator,
        ).data;
        const before = JSON.stringify(start);
        const valuesBefore = JSON.stringify(updates);
        deepFreeze(start);
        deepFreeze(updates);
        const result = applyUpdates(start, updates, computed, evaluator);
        expect(JSON.stringify(start)).toBe(before);
        expect(JSON.stringify(updates)).toBe(valuesBefore);
        if (result.errors.length > 0) expect(result.data).toBe(start);
      }),
      { numRuns: 200 },
    );
  });
});

describe("property: setPath / getPath / path text round-trip", () => {
  const safeKey = fc.string({ maxLength: 6 }).filter((key) => !FORBIDDEN_PATH_SEGMENTS.has(key));
  const segments = fc.array(safeKey, { minLength: 1, maxLength: 5 });

  it("reads back what it wrote, leaves the original alone, and keeps siblings", () => {
    fc.assert(
      fc.property(
        fc.dictionary(safeKey, fc.jsonValue({ maxDepth: 2 })),
        segments,
        fc.jsonValue(),
        (root, path, value) => {
          const before = JSON.stringify(root);
          deepFreeze(root);
          let next: Record<string, unknown>;
          try {
            next = setPath(root, path, value);
          } catch (error) {
            // only legitimate refusals: writing through a scalar or naming a property of an array
            expect(["state.type_mismatch", "state.index_out_of_range"]).toContain(
              (error as { code: string }).code,
            );
            return;
          }
          expect(getPath(next, path)).toBe(value);
          expect(JSON.stringify(root)).toBe(before);
          for (const key of Object.keys(root)) {
            if (key !== path[0]) expect(next[key]).toBe(root[key]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("parses what formatPath prints", () => {
    const segment: fc.Arbitrary<PathSegment> = fc.oneof(safeKey, fc.nat({ max: 1000 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (path) => {
        expect(resolvePath(formatPath(["this", ...path])).segments).toEqual(path);
      }),
      { numRuns: 300 },
    );
  });
});
