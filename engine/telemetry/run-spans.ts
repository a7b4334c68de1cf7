/**
 * @module
 * The spans one transition of a run finished, derived by comparing the run before and after it:
 * a run is a trace (its root span ends when the run does), each client step handed out and then
 * completed or failed is a span under the root (from its hand-out to its end), and each effect
 * (`external_call`, `notify`, a run-end notification) is a span under its step (or the root). Span
 * ids are derived from the trace id, the run id and the run's random salt (`derivedSpanId`), so a
 * step's id is known before it ends (an `external_call` carries it in `traceparent`), two runs
 * continuing one `traceparent` never share a span id, and no id is predictable from the trace id
 * alone. Pure: `now` comes in; nothing is stored.
 * Attributes never carry state values, params, results or secrets: only names, ids and codes.
 */
import type {
  ExecutedServerStep,
  MachineEvent,
  PendingStep,
  RunState,
  Thread,
} from "../machine/run-model.ts";
import type { EffectIntent } from "../plugins/effect.ts";
import { clipSpanText, type RecordedSpan, type SpanAttributeValue } from "./span.ts";
import { derivedSpanId } from "./traceparent.ts";

/** A traced run's trace: its id and, when a caller's `traceparent` started it, the caller's span. */
export interface RunTrace {
  traceId: string;
  parentSpanId?: string;
  /** the run's id, kept with its trace when the run starts (entries written before it lack it) */
  runId?: string;
  /** 32 random hex digits drawn when the run starts: its span ids are its own and unguessable */
  salt?: string;
}

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/**
 * The id of the run's span named `key`. The salt comes last, so the hash state an attacker can
 * compute from the trace id and key is still mixed with 128 secret bits. A trace kept without a
 * salt (a run started before salts) keeps its old ids, so its spans still nest.
 */
function runSpanId(trace: RunTrace, key: string): string {
  return derivedSpanId(
    trace.traceId,
    trace.salt === undefined ? key : `${key}/${trace.runId ?? ""}/${trace.salt}`,
  );
}

export function rootSpanId(trace: RunTrace): string {
  return runSpanId(trace, "run");
}

export function stepSpanId(trace: RunTrace, threadId: string, step: PendingStep): string {
  return runSpanId(trace, `step/${threadId}/${step.id}/${step.attempt}/${step.issuedAt}`);
}

export function effectSpanId(trace: RunTrace, effect: EffectIntent): string {
  return runSpanId(trace, `effect/${effect.id}`);
}

/** The span an effect runs in: its step's when the step is still out, else the run's. */
export function effectParentSpanId(trace: RunTrace, run: RunState, effect: EffectIntent): string {
  const owner = pendingOf(run).find((entry) => entry.step.effectId === effect.id);
  return owner === undefined ? rootSpanId(trace) : stepSpanId(trace, owner.threadId, owner.step);
}

/** Every span the transition from `before` to `after` (caused by `event`, at `now`) finished. */
export function spansOfTransition(
  trace: RunTrace,
  before: RunState,
  after: RunState,
  event: MachineEvent,
  now: number,
): RecordedSpan[] {
  const spans: RecordedSpan[] = [];
  const root = rootSpanId(trace);
  const base = {
    "edgeflow.run.id": after.id,
    "edgeflow.workflow": after.workflow,
    "edgeflow.workflow.version": after.version,
  };
  const still = new Set(pendingOf(after).map(({ threadId, step }) => stepKey(threadId, step)));
  for (const { threadId, step, thread } of pendingOf(before)) {
    if (still.has(stepKey(threadId, step))) continue;
    spans.push({
      traceId: trace.traceId,
      spanId: stepSpanId(trace, threadId, step),
      parentSpanId: root,
      name: `step ${step.id}`,
      kind: "internal",
      startMs: step.issuedAt,
      endMs: Math.max(now, step.issuedAt),
      attributes: { ...base, ...stepAttributes(threadId, step) },
      status: stepStatus(threadId, step, event, threadAfter(after, threadId) ?? thread),
    });
  }
  const outstanding = new Set((after.effects ?? []).map((effect) => effect.id));
  for (const effect of before.effects ?? []) {
    if (outstanding.has(effect.id) || event.kind !== "effect" || event.effectId !== effect.id) continue;
    spans.push({
      traceId: trace.traceId,
      spanId: effectSpanId(trace, effect),
      parentSpanId: effectParentSpanId(trace, before, effect),
      name: `${effect.kind} ${effect.service}.${effect.method}`,
      kind: "client",
      startMs: effect.requestedAt,
      endMs: Math.max(now, effect.requestedAt),
      attributes: {
        ...base,
        "edgeflow.step.id": effect.stepId,
        "edgeflow.step.attempt": effect.attempt,
        "edgeflow.effect.kind": effect.kind,
        "edgeflow.service": effect.service,
        "edgeflow.service.method": effect.method,
        ...(effect.threadId === "main" || effect.threadId === "run"
          ? {}
          : { "edgeflow.task.id": effect.threadId }),
      },
      status: event.outcome.ok
        ? { code: "ok" }
        : { code: "error", message: clipSpanText(`${event.outcome.code}: ${event.outcome.message}`) },
    });
  }
  if (FINISHED.has(after.status) && !FINISHED.has(before.status)) spans.push(runSpan(trace, after, now));
  return spans;
}

/** Most spans one transition makes of the server steps it ran (a long loop runs many). */
export const MAX_SERVER_STEP_SPANS = 100;

/**
 * A span for each server step a transition ran (`MachineContext.executed`, the first
 * `MAX_SERVER_STEP_SPANS`): under the root, at the transition's time (they take no time of their
 * own between agent calls), `ERROR` when the step failed.
 */
export function spansOfServerSteps(
  trace: RunTrace,
  run: RunState,
  executed: readonly ExecutedServerStep[],
  now: number,
): RecordedSpan[] {
  const base = {
    "edgeflow.run.id": run.id,
    "edgeflow.workflow": run.workflow,
    "edgeflow.workflow.version": run.version,
  };
  return executed.slice(0, MAX_SERVER_STEP_SPANS).map((step, index) => ({
    traceId: trace.traceId,
    spanId: runSpanId(trace, `server/${run.seq}/${index}`),
    parentSpanId: rootSpanId(trace),
    name: `step ${step.stepId}`,
    kind: "internal",
    startMs: now,
    endMs: now,
    attributes: {
      ...base,
      "edgeflow.step.id": step.stepId,
      "edgeflow.step.type": step.type,
      ...(step.threadId === "main" ? {} : { "edgeflow.task.id": step.threadId }),
    },
    status:
      step.error === undefined
        ? { code: "ok" }
        : { code: "error", message: clipSpanText(`${step.error.code}: ${step.error.message}`) },
  }));
}

/** The spans a run's start finished: only the root's, when the run ended within its start. */
export function spansOfStart(trace: RunTrace, run: RunState, now: number): RecordedSpan[] {
  return FINISHED.has(run.status) ? [runSpan(trace, run, now)] : [];
}

function runSpan(trace: RunTrace, run: RunState, now: number): RecordedSpan {
  const status: RecordedSpan["status"] =
    run.status === "completed"
      ? { code: "ok" }
      : run.status === "failed"
        ? {
            code: "error",
            message: clipSpanText(`${run.error?.code ?? "run.failed"}: ${run.error?.message ?? ""}`),
          }
        : { code: "unset" };
  return {
    traceId: trace.traceId,
    spanId: rootSpanId(trace),
    ...(trace.parentSpanId === undefined ? {} : { parentSpanId: trace.parentSpanId }),
    name: `run ${run.workflow}`,
    kind: "server",
    startMs: run.createdAt,
    endMs: Math.max(run.completedAt ?? now, run.createdAt),
    attributes: {
      "edgeflow.run.id": run.id,
      "edgeflow.workflow": run.workflow,
      "edgeflow.workflow.version": run.version,
      "edgeflow.run.status": run.status,
    },
    status,
  };
}

function stepAttributes(threadId: string, step: PendingStep): Record<string, SpanAttributeValue> {
  return {
    "edgeflow.step.id": step.id,
    "edgeflow.step.type": step.type,
    "edgeflow.step.attempt": step.attempt,
    ...(threadId === "main" ? {} : { "edgeflow.task.id": threadId }),
  };
}

function stepStatus(
  threadId: string,
  step: PendingStep,
  event: MachineEvent,
  thread: Thread,
): RecordedSpan["status"] {
  if (event.kind === "complete" && event.stepId === step.id && (event.taskId ?? "main") === threadId) {
    return event.status === "failed"
      ? { code: "error", message: clipSpanText(event.error ?? "the step failed") }
      : { code: "ok" };
  }
  if (event.kind === "effect" && step.effectId === event.effectId) {
    return event.outcome.ok
      ? { code: "ok" }
      : { code: "error", message: clipSpanText(`${event.outcome.code}: ${event.outcome.message}`) };
  }
  if (event.kind === "cancel") return { code: "unset" };
  if (thread.status === "failed")
    return {
      code: "error",
      message: clipSpanText(`${thread.error?.code ?? "step.failed"}: ${thread.error?.message ?? ""}`),
    };
  return { code: "ok" };
}

interface PendingEntry {
  threadId: string;
  thread: Thread;
  step: PendingStep;
}

function threadsOf(run: RunState): Thread[] {
  return [run.main, ...Object.values(run.tasks), ...Object.values(run.graph?.threads ?? {})];
}

function threadAfter(run: RunState, threadId: string): Thread | undefined {
  return threadsOf(run).find((thread) => thread.id === threadId);
}

function pendingOf(run: RunState): PendingEntry[] {
  return threadsOf(run).flatMap((thread) =>
    thread.pending.map((step) => ({ threadId: thread.id, thread, step })),
  );
}

function stepKey(threadId: string, step: PendingStep): string {
  return `${threadId}/${step.id}/${step.attempt}/${step.issuedAt}`;
}
