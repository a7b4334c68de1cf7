/**
 * Properties of the migration planner over generated runs (the review workflow driven a random
 * number of moves with random answers) and generated targets: it never modifies its input; a
 * script that throws (generated) is `ok: false` with the input deep-equal to before; planning
 * twice gives equal answers; and moving a run onto its own definition changes no state and
 * keeps every position. And a checkpoint reads back the same from format 1 and format 2.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "../../../durable-objects/run/checkpoint-format.ts";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import type { RunState } from "../../../engine/machine/index.ts";
import { planMigration } from "../../../engine/versions/index.ts";
import { loadSource, ScriptedAgent } from "../machine/agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const VERSIONS = new URL("../../fixtures/versions/", import.meta.url);
const V1_TEXT = readFileSync(new URL("review-v1.yaml", VERSIONS), "utf8");
const V2_TEXT = readFileSync(new URL("review-v2.yaml", VERSIONS), "utf8");
const V1 = loadSource(V1_TEXT);
const V2 = loadSource(V2_TEXT);
/** v2 without `ask_scope`: runs standing there cannot move */
const V3 = loadSource(
  V2_TEXT.replace('version: "2.0.0"', 'version: "3.0.0"').replace(
    / {2}- id: "ask_scope"\n {4}type: "user_input"\n {4}prompt: "Which rules\?"\n/,
    "",
  ),
);

const TARGETS: WorkflowDefinition[] = [V1, V2, V3];

/** A run of v1 after `moves` answers (a string for `ask_scope`, objects for the rest). */
const runs = fc
  .record({
    files: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
    scope: fc.string({ minLength: 1, maxLength: 8 }),
    moves: fc.integer({ min: 0, max: 7 }),
    cancel: fc.boolean(),
  })
  .map(({ files, scope, moves, cancel }): RunState => {
    const agent = new ScriptedAgent(V1, evaluator, { inputs: { files } });
    for (let move = 0; move < moves; move++) {
      const next = agent.next();
      if (next.status !== "steps") break;
      const step = next.steps.at(-1)!;
      if (step.type === "user_message") continue;
      agent.complete(step.id, step.id === "ask_scope" ? scope : { ok: move % 2 === 0 });
    }
    if (cancel && isLive(agent.run)) agent.finish({ kind: "cancel" });
    return agent.run;
  });

function isLive(run: RunState): boolean {
  return run.status === "running" || run.status === "waiting";
}

function planOnto(run: RunState, to: WorkflowDefinition) {
  return planMigration({
    run,
    from: { version: V1.version, definition: V1 },
    to: { version: to.version, definition: to },
    evaluator,
    now: 9_000,
  });
}

describe("planMigration", () => {
  it("never modifies the run it is given", () => {
    fc.assert(
      fc.property(runs, fc.constantFrom(...TARGETS), (run, to) => {
        const before = structuredClone(run);
        planOnto(run, to);
        expect(run).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it("answers ok: false (migrate.script_failed) for a script that throws, leaving the run as it was", () => {
    const throwing = fc.oneof(
      fc
        .string({ maxLength: 12 })
        .map((message) => `(() => { throw new Error(${JSON.stringify(message)}) })()`),
      fc.constantFrom("state.missing.deeper", "null.x", "undefined()", "globals.nope.nope"),
      fc.integer().map((n) => `(() => { throw ${n} })()`),
    );
    fc.assert(
      fc.property(runs.filter(isLive), throwing, (run, expression) => {
        const to = loadSource(
          V2_TEXT.replace(/ {4}script: .*\n/, `    script: ${JSON.stringify(`{{ ${expression} }}`)}\n`),
        );
        const before = structuredClone(run);
        const plan = planOnto(run, to);
        expect(plan.ok).toBe(false);
        if (plan.ok) return;
        // a run that stands where v2 has no place may be refused for that too
        expect(plan.problems.map((problem) => problem.code)).toContain("migrate.script_failed");
        expect(run).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });

  it("is deterministic: the same input gives the same plan", () => {
    fc.assert(
      fc.property(runs, fc.constantFrom(...TARGETS), (run, to) => {
        expect(planOnto(run, to)).toEqual(planOnto(run, to));
      }),
      { numRuns: 30 },
    );
  });

  it("onto its own definition: no state change, every position kept", () => {
    fc.assert(
      fc.property(runs.filter(isLive), (run) => {
        const plan = planOnto(run, V1);
        expect(plan.ok).toBe(true);
        if (!plan.ok) return;
        expect(plan.stateChanges).toEqual([]);
        expect(plan.migrations).toEqual([]);
        for (const position of plan.positions) expect(position.step_id).toBe(position.from_step_id);
        const strip = (state: RunState) => ({
          ...state,
          seq: 0,
          updatedAt: 0,
          main: { ...state.main, frames: state.main.frames.map(({ address: _address, ...frame }) => frame) },
        });
        expect(strip(plan.run)).toEqual(strip(run));
      }),
      { numRuns: 30 },
    );
  });

  it("reads a run's checkpoint back the same from format 1 (upgraded) and format 2", () => {
    fc.assert(
      fc.property(runs, (run) => {
        const written = encodeCheckpoint(run, V1);
        const stored = JSON.parse(written);
        const frames = (thread: { frames: { address?: unknown }[] }) =>
          thread.frames.map(({ address: _address, ...frame }) => frame);
        const formatOne = JSON.stringify({
          ...stored,
          format: 1,
          main: { ...stored.main, frames: frames(stored.main) },
        });
        expect(decodeCheckpoint(formatOne, V1)).toEqual(decodeCheckpoint(written, V1));
      }),
      { numRuns: 30 },
    );
  });
});
