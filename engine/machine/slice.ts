/**
 * @module
 * Splitting long server-side work across events. A transition gets a meter (`work-meter.ts`);
 * a thread that finds the meter spent before its next step yields here: it keeps its position,
 * waits on a `continue` timer due at once, and the runtime answers its caller and runs the rest
 * from its next event (the alarm). After the transition the work is added to the run's total; a
 * run past its allowance fails with `run.cpu_exceeded`.
 */
import type { ErrorShape } from "../errors.ts";
import { failWholeRun } from "./failure.ts";
import type { MachineContext, NextStep, RunState } from "./run-model.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { addTimer } from "./timers.ts";
import {
  DEFAULT_RUN_WORK_ALLOWANCE,
  meteredEvaluator,
  type RunWork,
  SLICE_WORK_UNITS,
  WorkMeter,
} from "./work-meter.ts";

/** What an agent is told while the run goes on by itself (and how soon to ask again). */
export const CONTINUE_MESSAGE =
  "The run is working through server-side steps and goes on by itself; call workflow_get_next_step again shortly.";
export const CONTINUE_RETRY_AFTER_MS = 100;

/** The run's work so far, with the default allowance for a checkpoint written before there was one. */
export function workOf(run: RunState): RunWork {
  return run.work ?? { used: 0, allowance: DEFAULT_RUN_WORK_ALLOWANCE };
}

/** The context for one transition of a run that has done `work`: a fresh meter, and the evaluator charging it. */
export function meteredContext(machine: MachineContext, work: RunWork): MachineContext {
  const meter = new WorkMeter(machine.sliceUnits ?? SLICE_WORK_UNITS, work.allowance - work.used);
  return { ...machine, meter, evaluator: meteredEvaluator(machine.evaluator, meter), raised: [] };
}

/**
 * The thread stops before `stepId` and goes on from a `continue` timer due now. Timers due at
 * the same time fire in the order of `run.timers`: the timer of a thread that got no step in
 * this transition (`ran` false) goes first, so threads sharing a slice take turns.
 */
export function yieldSlice(scope: ThreadScope, stepId: string, ran: boolean): NextStep {
  const { thread, run, machine } = scope;
  thread.waitingFor = { kind: "continue", stepId, message: CONTINUE_MESSAGE };
  const timer = addTimer(run, { kind: "continue", at: machine.now, threadId: thread.id, stepId });
  if (!ran) run.timers = [timer, ...run.timers.filter((other) => other !== timer)];
  return { status: "wait", message: CONTINUE_MESSAGE, retryAfterMs: CONTINUE_RETRY_AFTER_MS };
}

/**
 * Adds the transition's work to the run's total. A run past its allowance fails as a whole
 * (whatever it was doing: its timers go, every thread stops) with `run.cpu_exceeded`.
 */
export function chargeRun(run: RunState, machine: MachineContext): ErrorShape | undefined {
  const meter = machine.meter;
  if (meter === undefined) return undefined;
  const work = workOf(run);
  run.work = { used: work.used + meter.spent, allowance: work.allowance };
  if (!meter.allowanceSpent || isEnded(run)) return undefined;
  const error: ErrorShape = {
    code: "run.cpu_exceeded",
    message: `the run spent more than its allowance of ${work.allowance} work units (server steps and expression work); see docs/runtime.md`,
  };
  failWholeRun(run, error, machine.now);
  return error;
}

function isEnded(run: RunState): boolean {
  return run.status === "completed" || run.status === "failed" || run.status === "cancelled";
}
