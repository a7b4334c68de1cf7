/**
 * @module
 * `external_call` and `notify`: the thread hands out an effect and waits for its outcome. The
 * step's `params` (or `message`/`title`) are rendered here, its `auth` is copied unresolved (a
 * capability field), and the idempotency key names the run, thread, step and loop position, so
 * every attempt at one position carries the same key. The step stays pending (never handed to an
 * agent) until the runtime answers with an `effect` event (`effect-outcome.ts`); `store_result`
 * and `state_update(s)` apply then, like a client step's completion.
 */

import type { Step } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import type { EffectIntent } from "../../plugins/effect.ts";
import { idempotencyKeyOf } from "../../plugins/idempotency-key.ts";
import { POLL_AFTER_MS } from "../poll-intervals.ts";
import type { PendingStep } from "../run-model.ts";
import { type EffectStepType, isEffectStep } from "../step-kinds.ts";
import type { StepOf } from "../step-types.ts";
import { loopContextOf, renderValue, type ThreadScope } from "../thread-scope.ts";
import type { StepOutcome } from "./handler.ts";

/** An `external_call` or `notify` step. */
export type EffectStep = StepOf<EffectStepType>;

export function isEffectStepNode(step: Step): step is EffectStep {
  return isEffectStep(step.type);
}

/** The method a notification plugin is called with, for `notify` and `on_complete`/`on_failure`. */
export const NOTIFY_METHOD = "send";

export function handOutEffect(scope: ThreadScope, step: EffectStep, ref: (string | number)[]): StepOutcome {
  const { thread, run, machine } = scope;
  if ("graphTask" in thread) {
    throw new EngineError(
      "run.unsupported_step",
      `step "${step.id}": ${step.type} inside a dependency_flow task cannot run yet; call it before or after the dependency_flow step`,
    );
  }
  const attempt = thread.attempts?.[step.id] ?? 1;
  const iterations = thread.frames.flatMap((frame) => (frame.loop ? [frame.loop.iteration] : []));
  const idempotencyKey = idempotencyKeyOf({
    runId: run.id,
    threadId: thread.id,
    stepId: step.id,
    iterations,
  });
  const intent: EffectIntent = {
    id: `${idempotencyKey}#${attempt}`,
    kind: step.type === "notify" ? "notify" : "call",
    idempotencyKey,
    threadId: thread.id,
    stepId: step.id,
    attempt,
    service: step.type === "notify" ? step.channel : step.service,
    method: step.type === "notify" ? NOTIFY_METHOD : step.method,
    params: paramsOf(scope, step),
    requestedAt: machine.now,
  };
  if (step.type === "external_call" && step.auth !== undefined) intent.auth = step.auth;
  if (step.timeout_seconds !== undefined && step.timeout_seconds > 0)
    intent.timeoutSeconds = step.timeout_seconds;
  run.effects = [...(run.effects ?? []), intent];
  const pending: PendingStep = {
    id: step.id,
    type: step.type,
    attempt,
    issuedAt: machine.now,
    definition: { service: intent.service, method: intent.method, idempotency_key: idempotencyKey },
    ref,
    implicit: false,
    effectId: intent.id,
  };
  const loop = loopContextOf(thread);
  if (loop) pending.loop = loop;
  thread.pending.push(pending);
  const message = `Step "${step.id}" is calling ${intent.service}.${intent.method} (attempt ${attempt}); the run goes on by itself.`;
  thread.waitingFor = { kind: "effect", stepId: step.id, message };
  return { kind: "stop", next: { status: "wait", message, retryAfterMs: POLL_AFTER_MS.effect } };
}

function paramsOf(scope: ThreadScope, step: EffectStep): Record<string, unknown> {
  if (step.type === "notify") {
    const params: Record<string, unknown> = { message: notificationText(renderValue(scope, step.message)) };
    if (step.title !== undefined) params.title = notificationText(renderValue(scope, step.title));
    return params;
  }
  if (step.params === undefined) return {};
  const rendered = renderValue(scope, step.params);
  if (!isRecord(rendered)) {
    throw new EngineError("step.failed", `step "${step.id}": params must render to an object`);
  }
  return rendered;
}

/**
 * A rendered `message` or `title` as the text notify plugins take: a template that is one
 * expression may render to a number or an object, sent as its JSON.
 */
export function notificationText(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
