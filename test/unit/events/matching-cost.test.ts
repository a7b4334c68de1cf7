/**
 * Matching cost at many subscriptions (issue 16, "Cost growth"): an event matched against a
 * tenant's file_change subscriptions compiles each trigger's globs once for the subscription
 * list, not once per event. Past the 512 entries of the shared glob cache, the old code compiled
 * (picomatch) every trigger again for every event. Counted, never timed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as filePattern from "../../../engine/events/file-pattern.ts";
import { matchEvent } from "../../../engine/events/matching.ts";
import type { Subscription } from "../../../engine/events/subscription.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { fileChange } from "./event-fixtures.ts";

vi.mock("../../../engine/events/file-pattern.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof filePattern>();
  return { ...actual, compileFilePatterns: vi.fn(actual.compileFilePatterns) };
});

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const COUNT = 1_000;

function fileSubscriptions(): Subscription[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    id: `bench:filler#triggers[${i}]`,
    workflow: "bench:filler",
    event_pattern: "file_change",
    filter: "path.length > 1000",
    trigger: { type: "file_change", pattern: `src/mod-${i}/**/*.ts` },
  }));
}

describe("matching against 1,000 file_change subscriptions", () => {
  it("compiles each trigger's globs once for the list, whatever the number of events", () => {
    const compile = vi.mocked(filePattern.compileFilePatterns);
    compile.mockClear();
    const subscriptions = fileSubscriptions();
    for (let n = 0; n < 5; n++) {
      const matches = matchEvent(fileChange(`src/mod-${n}/a/f.ts`), subscriptions, evaluator);
      // one candidate (its own glob), whose filter drops the event
      expect(matches.map((match) => [match.subscription.id, "skipped" in match && match.skipped])).toEqual([
        [`bench:filler#triggers[${n}]`, "filtered_out"],
      ]);
    }
    expect(compile).toHaveBeenCalledTimes(COUNT);
  });

  it("a new subscription list (a publish replaced it) compiles again, and matches as before", () => {
    const compile = vi.mocked(filePattern.compileFilePatterns);
    compile.mockClear();
    const replaced = fileSubscriptions().map((s) => ({
      ...s,
      trigger: { type: "file_change" as const, pattern: "lib/**" },
    }));
    expect(matchEvent(fileChange("src/mod-0/a.ts"), replaced, evaluator)).toEqual([]);
    expect(matchEvent(fileChange("lib/x.ts"), replaced, evaluator)).toHaveLength(COUNT);
    expect(compile).toHaveBeenCalledTimes(COUNT);
  });
});
