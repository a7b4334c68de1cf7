/**
 * @module
 * The runtime answers an effect (`{kind: "effect"}`): the effect leaves `run.effects`, and the
 * step that waits for it completes like a client step: on success `store_result` and
 * `state_update(s)` apply with the result in scope (`result`, `response`, and the result's
 * fields as bare names) and the thread moves on; on failure the step's `error_handling` decides
 * (at most 10 retries, each after its backoff with jitter, never sooner than 1 s nor than the
 * target's `Retry-After`; fallback;
 * continue; fail). An answer to an effect that is no longer outstanding (a duplicate after a
 * crash, a cancelled run) changes nothing. A run-end notification's answer only clears it.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { EngineError } from "../errors.ts";
import type { EffectIntent, EffectOutcome } from "../plugins/effect.ts";
import { effectErrorPolicy, effectRetryDelayMs } from "../plugins/retry-delay.ts";
import { advanceThread } from "./advance.ts";
import { applyResult } from "./complete.ts";
import { stepAt } from "./definition.ts";
import { forgetAttempts, handleStepFailure } from "./failure.ts";
import type { MachineContext, NextStep, RunState, Thread } from "./run-model.ts";
import type { ThreadScope } from "./thread-scope.ts";

export interface EffectAnswer {
  effectId: string;
  outcome: EffectOutcome;
}

/** Takes the effect out of `run.effects`; undefined when it is not outstanding. */
export function takeEffect(run: RunState, effectId: string): EffectIntent | undefined {
  const intent = run.effects?.find((effect) => effect.id === effectId);
  if (intent === undefined) return undefined;
  const rest = run.effects!.filter((effect) => effect.id !== effectId);
  if (rest.length > 0) run.effects = rest;
  else delete run.effects;
  return intent;
}

/** Applies an effect's outcome to the thread that waits for it; answers where the thread stands. */
export function applyEffectOutcome(
  definition: WorkflowDefinition,
  run: RunState,
  answer: EffectAnswer,
  machine: MachineContext,
): NextStep {
  const intent = takeEffect(run, answer.effectId);
  const thread = intent === undefined ? undefined : threadOf(run, intent.threadId);
  const mainScope: ThreadScope = { definition, run, thread: run.main, machine };
  if (intent === undefined || thread === undefined) return advanceThread(mainScope, { issue: false });
  const index = thread.pending.findIndex((pending) => pending.effectId === intent.id);
  if (index < 0) return advanceThread(mainScope, { issue: false });
  const [pending] = thread.pending.splice(index, 1);
  const scope: ThreadScope = { definition, run, thread, machine };
  const step = stepAt(definition, pending!.ref);
  if (thread.waitingFor?.kind === "effect") thread.waitingFor = undefined;
  thread.status = "ready";
  const frame = thread.frames.at(-1)!;
  const moveOn = () => {
    frame.pc += 1;
  };
  const { outcome } = answer;
  if (outcome.ok) {
    try {
      applyResult(scope, step, pending!, outcome.result);
      forgetAttempts(scope, step.id);
      moveOn();
      return advanceThread(scope, { issue: false });
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      handleStepFailure(scope, step, error, { skip: moveOn });
      return advanceThread(scope, { issue: false });
    }
  }
  const error = new EngineError(outcome.code, outcome.message);
  const policy = effectErrorPolicy(step.error_handling);
  handleStepFailure(
    scope,
    step,
    error,
    {
      skip: moveOn,
      fallback: (value) => {
        applyResult(scope, step, pending!, value);
        moveOn();
      },
      retryDelayMs: (attempt, backoffMs) =>
        effectRetryDelayMs({
          backoffMs,
          idempotencyKey: intent.idempotencyKey,
          attempt,
          ...(outcome.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: outcome.retryAfterSeconds }),
        }),
    },
    policy,
  );
  return advanceThread(scope, { issue: false });
}

function threadOf(run: RunState, threadId: string): Thread | undefined {
  if (threadId === "main") return run.main;
  return Object.hasOwn(run.tasks, threadId) ? run.tasks[threadId] : undefined;
}
