/**
 * A transition has a work budget (steps, evaluations and sandbox polls together): past its slice
 * the run yields to a `continue` timer and goes on from there in the next event, with the same
 * result as if nothing had been cut; a run past its allowance fails with `run.cpu_exceeded`.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import {
  type MachineContext,
  nextWakeAt,
  type RunState,
  type StartOptions,
  startRun,
  type Transition,
  transition,
} from "../../../engine/machine/index.ts";
import { SLICE_WORK_UNITS, WORK_UNITS } from "../../../engine/machine/work-meter.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const NOW = Date.UTC(2026, 11, 4, 12);

/** A condition that loops in the sandbox (about 20 polls) and then tests the pass number. */
const HEAVY_CONDITION =
  "(() => { let i = 0; while (i < 100000) i++; return loop.iteration <= this.passes })()";

function hostile(passes: number): WorkflowDefinition {
  return loadSource(`
name: test:hostile
version: 1.0.0
description: work slices
default_state:
  state: { passes: ${passes}, count: 0 }
steps:
  - id: spin
    type: while_loop
    max_iterations: 1000
    condition: "{{ ${HEAVY_CONDITION} }}"
    body:
      - id: bump
        type: set_state
        state_update: { path: this.count, value: "{{ this.count + 1 }}" }
`);
}

/** Loops, a foreach, a conditional, a break: every kind of server step, no client step. */
function benign(outer: number, items: number): WorkflowDefinition {
  return loadSource(`
name: test:benign
version: 1.0.0
description: work slices
default_state:
  state: { total: 0, seen: [], outer: ${outer}, items: ${items} }
steps:
  - id: outer
    type: while_loop
    max_iterations: 100
    condition: "{{ loop.iteration <= this.outer }}"
    body:
      - id: each
        type: foreach
        items: "{{ Array.from({ length: this.items }, (_, i) => i) }}"
        body:
          - id: odd
            type: conditional
            condition: "{{ item % 2 === 1 }}"
            then_steps:
              - id: add
                type: set_state
                state_update: { path: this.total, value: "{{ this.total + item }}" }
            else_steps:
              - id: note
                type: set_state
                state_update: { path: this.seen, value: "{{ item }}", operation: append }
      - id: stop_early
        type: break
        when: "{{ this.total > 1000 }}"
  - id: done
    type: set_state
    state_update: { path: this.finished, value: true }
`);
}

interface Drive {
  run: RunState;
  /** work units each transition added to the run's total */
  perTransition: number[];
  transitions: number;
}

/** Starts a run and fires its timers, as the RunDO's alarm would, until it has none left. */
function drive(definition: WorkflowDefinition, slice: number, options: Partial<StartOptions> = {}): Drive {
  const context = (): MachineContext => ({ now: NOW, evaluator, sliceUnits: slice });
  const perTransition: number[] = [];
  const keep = (result: Transition, before: number) => {
    perTransition.push((result.run.work?.used ?? 0) - before);
    return result.run;
  };
  let run = keep(startRun(definition, { id: "wf_slices", ...options }, context()), 0);
  for (let guard = 0; nextWakeAt(run) !== undefined; guard += 1) {
    if (guard > 10_000) throw new Error("the run never ended");
    run = keep(transition(definition, run, { kind: "timers" }, context()), run.work?.used ?? 0);
  }
  return { run, perTransition, transitions: perTransition.length };
}

describe("a transition's work slice", () => {
  it("yields before the next step once the slice is spent, answering `wait` with the run still running", () => {
    const definition = hostile(20);
    const started = startRun(definition, { id: "wf_slices" }, { now: NOW, evaluator });
    expect(started.run.status).toBe("running");
    expect(started.next).toMatchObject({ status: "wait" });
    expect(started.run.main.waitingFor).toMatchObject({ kind: "continue" });
    expect(started.run.timers).toEqual([expect.objectContaining({ kind: "continue", at: NOW })]);
    expect(started.run.main.state.state.count).toBeLessThan(20);
  });

  it("never spends more than the slice plus one step, and continues from its timer to the end", () => {
    const { run, perTransition } = drive(hostile(20), SLICE_WORK_UNITS);
    expect(run.status).toBe("completed");
    expect(run.main.state.state.count).toBe(20);
    expect(perTransition.length).toBeGreaterThan(2);
    // one step here: the loop's condition (one evaluation) or `bump` (one cheap evaluation)
    const oneStep = WORK_UNITS.step + WORK_UNITS.evaluation + Math.max(...polls(definitionPolls()));
    for (const spent of perTransition) expect(spent).toBeLessThanOrEqual(SLICE_WORK_UNITS + oneStep);
  });

  it("gives the same result however the work is sliced (property over loop sizes and slice sizes)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 60 }),
        (outer, items, slice) => {
          const definition = benign(outer, items);
          const whole = drive(definition, Number.POSITIVE_INFINITY);
          const sliced = drive(definition, slice);
          expect(whole.transitions).toBe(1);
          expect(sliced.run.status).toBe("completed");
          expect(sliced.run.main.state).toEqual(whole.run.main.state);
          expect(sliced.run.main.state.state.finished).toBe(true);
          // a slice of `slice` units allows at most that plus one step and its evaluations
          for (const spent of sliced.perTransition) expect(spent).toBeLessThanOrEqual(slice + 10);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("threads sharing a slice", () => {
  it("take turns: two sub-agent tasks with long server loops both move, neither waits for the other to end", () => {
    const definition = loadSource(`
name: test:two-spinners
description: two sub-agent tasks, each a long server-side loop
version: 1.0.0
steps:
  - id: fan
    type: parallel_foreach
    items: "{{ [1, 2] }}"
    sub_agent_task: spinner
sub_agent_tasks:
  spinner:
    description: spins
    default_state:
      state: { count: 0 }
    steps:
      - id: spin
        type: while_loop
        max_iterations: 100
        condition: "{{ ${HEAVY_CONDITION.replace("this.passes", "6")} }}"
        body:
          - id: bump
            type: set_state
            state_update: { path: this.count, value: "{{ this.count + 1 }}" }
      - id: done
        type: agent_prompt
        prompt: done
`);
    const agent = new ScriptedAgent(definition, evaluator);
    expect(agent.steps()[0]).toMatchObject({ type: "parallel_foreach" });
    const ids = ["spinner.item0", "spinner.item1"];
    for (const id of ids) expect(agent.next(id)).toMatchObject({ status: "wait" });
    const counts = () => ids.map((id) => agent.run.tasks[id]!.state.state.count as number);
    let interleaved = false;
    for (
      let guard = 0;
      guard < 100 && agent.run.timers.some((timer) => timer.kind === "continue");
      guard += 1
    ) {
      agent.wakeUp();
      const [first, second] = counts();
      if (first! > 0 && first! < 6 && second! > 0 && second! < 6) interleaved = true;
    }
    expect(counts()).toEqual([6, 6]);
    expect(interleaved).toBe(true);
  });
});

describe("a run's work allowance", () => {
  it("fails the run with run.cpu_exceeded, its timers gone", () => {
    const { run } = drive(hostile(1000), SLICE_WORK_UNITS, { workAllowance: 5 * SLICE_WORK_UNITS });
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("run.cpu_exceeded");
    expect(run.timers).toEqual([]);
    expect(run.work!.used).toBeGreaterThan(5 * SLICE_WORK_UNITS);
    expect(run.main.state.state.count).toBeLessThan(1000);
  });

  it("is kept in the checkpoint and counts across transitions", () => {
    const { run, perTransition } = drive(hostile(5), SLICE_WORK_UNITS);
    expect(run.work!.used).toBe(perTransition.reduce((sum, spent) => sum + spent, 0));
  });
});

/** Polls the heavy condition takes, measured on this evaluator. */
function definitionPolls(): number[] {
  const before = evaluator.pollsUsed;
  evaluator.evaluate(HEAVY_CONDITION, { loop: { iteration: 1 }, this: { passes: 1 } });
  return [evaluator.pollsUsed - before];
}

function polls(counts: number[]): number[] {
  return counts.map((count) => count * WORK_UNITS.poll);
}
