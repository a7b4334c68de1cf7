/**
 * @module
 * What one transition did, for the run's history (`workflow_run_history`): the steps it handed
 * out, completed or failed (with their attempt and thread), the retries and waits it set up, the
 * effect it answered and the error that ended the run. Computed from the checkpoint before and
 * after the transition and the event that caused it, and stored as JSON in the transition log
 * row the checkpoint's transaction writes anyway (`transitions.detail`): no extra write.
 *
 * Never a state value: only ids, step types, attempts, times, error codes and error messages
 * (cut to `MAX_MESSAGE_CHARS`). Messages are the ones `workflow_get_status` already shows: an
 * effect's message was redacted of the secrets it used by the TenantDO before it reached the run
 * (`tenant/effect-runner.ts`), and a run never holds a secret (DESIGN.md decision 9). Every
 * list is cut to `MAX_DETAIL_ITEMS` with the number left out in `more`. Pure: no I/O, no clock.
 */
import type { ErrorShape } from "../../engine/errors.ts";
import type { MachineEvent, PendingStep, RunState, Thread } from "../../engine/machine/run-model.ts";

/** The most entries of one kind one transition's detail keeps. */
export const MAX_DETAIL_ITEMS = 20;
/** Error messages and cancel reasons are cut to this many characters. */
export const MAX_MESSAGE_CHARS = 300;

export interface StepMark {
  step_id: string;
  /** the sub-agent task or dependency-graph task whose thread it is; absent for the main thread */
  task_id?: string;
  type?: string;
  attempt?: number;
}

export interface TransitionDetail {
  handed_out?: StepMark[];
  completed?: StepMark[];
  failed?: (StepMark & { error: { code?: string; message: string } })[];
  /** a step failed and will be tried again: `attempt` is the coming attempt, `until` when (epoch ms) */
  retries?: (StepMark & { until?: number })[];
  /** a thread started waiting: on a timer, its tasks, its graph or an effect */
  waits?: { step_id: string; task_id?: string; kind: string; until?: number }[];
  /** the effect (external call, notification) this transition took the outcome of */
  effect?: { step_id: string; service: string; method: string; attempt: number; ok: boolean; code?: string };
  cancel?: { reason?: string };
  /** the error the run ended with */
  error?: { code: string; message: string };
  /** entries left out of the lists above, per list */
  more?: Record<string, number>;
}

/** The detail of the transition `before` → `after` caused by `event` (the start: `before` null). */
export function transitionDetailOf(
  before: RunState | null,
  after: RunState,
  event: MachineEvent | { kind: "start" },
): TransitionDetail {
  const detail: TransitionDetail = {};
  const more: Record<string, number> = {};
  const put = <K extends "handed_out" | "completed" | "failed" | "retries" | "waits">(
    key: K,
    items: NonNullable<TransitionDetail[K]>,
  ) => {
    if (items.length === 0) return;
    detail[key] = items.slice(0, MAX_DETAIL_ITEMS) as TransitionDetail[K];
    if (items.length > MAX_DETAIL_ITEMS) more[key] = items.length - MAX_DETAIL_ITEMS;
  };
  const beforeThreads = threadsOf(before);
  const afterThreads = threadsOf(after);
  put("handed_out", handedOut(beforeThreads, afterThreads));
  if (event.kind === "complete") {
    const mark = completedMark(beforeThreads, event);
    if (event.status === "success") put("completed", [mark]);
    else put("failed", [{ ...mark, error: { message: cut(event.error ?? "failed") } }]);
  }
  put("retries", newRetries(before, after, afterThreads));
  put("waits", newWaits(beforeThreads, afterThreads));
  if (event.kind === "effect") {
    const effect = before?.effects?.find((pending) => pending.id === event.effectId);
    if (effect !== undefined) {
      detail.effect = {
        step_id: effect.stepId,
        service: effect.service,
        method: effect.method,
        attempt: effect.attempt,
        ok: event.outcome.ok,
        ...(event.outcome.ok ? {} : { code: event.outcome.code }),
      };
    }
  }
  if (event.kind === "cancel")
    detail.cancel = event.reason === undefined ? {} : { reason: cut(event.reason) };
  if (after.error !== undefined && before?.error === undefined) detail.error = errorOf(after.error);
  if (Object.keys(more).length > 0) detail.more = more;
  return detail;
}

/** Every thread of a run by id: `main`, its sub-agent tasks, its graph's running tasks. */
function threadsOf(run: RunState | null): Map<string, Thread> {
  const threads = new Map<string, Thread>();
  if (run === null) return threads;
  threads.set("main", run.main);
  for (const task of Object.values(run.tasks)) threads.set(task.id, task);
  for (const task of Object.values(run.graph?.threads ?? {})) threads.set(task.id, task);
  return threads;
}

function handedOut(before: Map<string, Thread>, after: Map<string, Thread>): StepMark[] {
  const marks: StepMark[] = [];
  for (const [threadId, thread] of after) {
    const earlier = before.get(threadId)?.pending ?? [];
    for (const pending of thread.pending) {
      if (earlier.some((old) => old.id === pending.id && old.attempt === pending.attempt)) continue;
      marks.push(markOf(threadId, pending));
    }
  }
  return marks;
}

function completedMark(
  before: Map<string, Thread>,
  event: Extract<MachineEvent, { kind: "complete" }>,
): StepMark {
  const threadId = event.taskId ?? "main";
  const pending = before.get(threadId)?.pending.find((step) => step.id === event.stepId);
  return pending === undefined
    ? { step_id: event.stepId, ...(event.taskId === undefined ? {} : { task_id: event.taskId }) }
    : markOf(threadId, pending);
}

function newRetries(
  before: RunState | null,
  after: RunState,
  afterThreads: Map<string, Thread>,
): (StepMark & { until?: number })[] {
  const known = new Set((before?.timers ?? []).map((timer) => timer.id));
  return after.timers
    .filter((timer) => timer.kind === "retry" && !known.has(timer.id))
    .map((timer) => {
      const thread = afterThreads.get(timer.threadId);
      const attempt = thread?.attempts?.[timer.stepId];
      return {
        step_id: timer.stepId,
        ...(timer.threadId === "main" ? {} : { task_id: timer.threadId }),
        ...(attempt === undefined ? {} : { attempt }),
        until: timer.at,
      };
    });
}

function newWaits(
  before: Map<string, Thread>,
  after: Map<string, Thread>,
): { step_id: string; task_id?: string; kind: string; until?: number }[] {
  const waits: { step_id: string; task_id?: string; kind: string; until?: number }[] = [];
  for (const [threadId, thread] of after) {
    const waiting = thread.waitingFor;
    // a `continue` is the machine's own work slicing, not a wait anyone asked for
    if (waiting === undefined || waiting.kind === "continue") continue;
    const earlier = before.get(threadId)?.waitingFor;
    if (
      earlier?.kind === waiting.kind &&
      earlier.stepId === waiting.stepId &&
      earlier.until === waiting.until
    )
      continue;
    waits.push({
      step_id: waiting.stepId,
      ...(threadId === "main" ? {} : { task_id: threadId }),
      kind: waiting.kind,
      ...(waiting.until === undefined ? {} : { until: waiting.until }),
    });
  }
  return waits;
}

function markOf(threadId: string, pending: PendingStep): StepMark {
  return {
    step_id: pending.id,
    ...(threadId === "main" ? {} : { task_id: threadId }),
    type: pending.type,
    attempt: pending.attempt,
  };
}

function errorOf(error: ErrorShape): { code: string; message: string } {
  return { code: error.code, message: cut(error.message) };
}

function cut(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
