/**
 * @module
 * The work budget of one transition and of a whole run. Work is counted, never timed (deployed
 * Workers freeze `Date.now()` during synchronous code): a server step, an evaluation and each
 * interrupt poll of the expression sandbox (about 10,000 bytecode branches) cost work units, and a
 * state write costs in proportion to the state's size.
 *
 * A transition runs server steps until it has spent its slice (`SLICE_WORK_UNITS`); then the
 * thread yields (`slice.ts`): it keeps its position, a `continue` timer due at once wakes the
 * run, and the runtime answers its caller and goes on in a new event. A step in progress is never
 * cut: the slice is checked before each step, so a transition's work is at most the slice plus one
 * step. Over the run's life the work adds up in `RunState.work`; past the allowance the run fails
 * with `run.cpu_exceeded`. No clock, no I/O.
 */
import type { Evaluator } from "../expressions/evaluator.ts";

/** What each kind of work costs, in work units. */
export const WORK_UNITS = Object.freeze({
  /** one server step run by the machine (its own bookkeeping, bindings, state writes) */
  step: 1,
  /** one call of the evaluator (copying bindings in and the result out) */
  evaluation: 1,
  /** one interrupt poll of the sandbox: 60-300 µs of QuickJS in Node, depending on the code */
  poll: 10,
  /** a state write costs one unit per this many bytes of the thread's state (copying, measuring) */
  stateBytesPerUnit: 8 * 1024,
});

/**
 * Work units one transition spends before it yields: 10 polls, or about 100 light steps. Small on
 * purpose: every event of the isolate (a `/healthz`, another tenant's call) may queue behind one
 * slice of each busy run, and wasm runs several times slower under `wrangler dev` than in Node.
 */
export const SLICE_WORK_UNITS = 100;

/**
 * The sandbox polls one evaluation may take in a run (the evaluator's `stepBudget`, set by the
 * runtime): one evaluation cannot be cut, so it must fit in about one slice. 20 polls is about
 * 200,000 bytecode branches (a filter over 10,000 items takes 2-12).
 */
export const RUN_EXPRESSION_POLL_BUDGET = 20;

/** Work units a run may spend over its life, by default (about 50,000 polls: several seconds). */
export const DEFAULT_RUN_WORK_ALLOWANCE = 500_000;

/** A run's work so far and its allowance, kept in the checkpoint. */
export interface RunWork {
  used: number;
  allowance: number;
}

export class WorkMeter {
  /** units spent in this transition */
  #spent = 0;
  readonly #slice: number;
  readonly #left: number;

  /** `slice`: this transition's budget; `left`: what the run's allowance still holds. */
  constructor(slice: number, left: number) {
    this.#slice = slice;
    this.#left = left;
  }

  get spent(): number {
    return this.#spent;
  }

  charge(units: number): void {
    this.#spent += units;
  }

  /** The transition has used its slice, or the run its allowance: start no more steps. */
  get exhausted(): boolean {
    return this.#spent >= this.#slice || this.allowanceSpent;
  }

  /** The run has spent more than its allowance. */
  get allowanceSpent(): boolean {
    return this.#spent > this.#left;
  }
}

/**
 * The evaluator, charging the meter for every call and the polls it took (an evaluator without
 * a poll counter costs the call only). The sandbox behind it stays the same.
 */
export function meteredEvaluator(evaluator: Evaluator, meter: WorkMeter): Evaluator {
  const polls = () => evaluator.pollsUsed;
  const metered = <T>(work: () => T): T => {
    const before = polls();
    try {
      return work();
    } finally {
      meter.charge(WORK_UNITS.evaluation + (polls() - before) * WORK_UNITS.poll);
    }
  };
  return {
    evaluate: (source, bindings) => metered(() => evaluator.evaluate(source, bindings)),
    check: (source) => metered(() => evaluator.check(source)),
    ready: () => evaluator.ready(),
    dispose: () => evaluator.dispose(),
    get pollsUsed() {
      return evaluator.pollsUsed;
    },
  };
}
