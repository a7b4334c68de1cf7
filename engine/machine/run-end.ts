/**
 * @module
 * A workflow's `on_complete` / `on_failure`: when a transition ends the run (completed or
 * failed), one notification effect is added to `run.effects`, rendered with the run's final
 * state, with the run's id, workflow, status and error as the notification's `details`, keyed
 * `<run id>:run:on_complete:0` (or `on_failure`). It is recorded with the checkpoint
 * that ends the run and delivered like any effect; its answer only clears it. A template that
 * fails to render sends the message as written rather than losing the notification.
 */
import type { RunNotification, WorkflowDefinition } from "../dialect/index.ts";
import { isEngineError } from "../errors.ts";
import type { EffectIntent } from "../plugins/effect.ts";
import { idempotencyKeyOf } from "../plugins/idempotency-key.ts";
import type { MachineContext, RunState, RunStatus } from "./run-model.ts";
import { NOTIFY_METHOD, notificationText } from "./steps/effect-steps.ts";
import { renderValue, type ThreadScope } from "./thread-scope.ts";

/** Adds the run-end notification if this transition ended the run (`before`: its status before). */
export function addRunEndNotification(
  definition: WorkflowDefinition,
  run: RunState,
  before: RunStatus | undefined,
  machine: MachineContext,
): void {
  if (before === run.status) return;
  if (run.status === "completed" || run.status === "failed") {
    // the run is over: calls still unanswered are not made any more
    const runEnd = run.effects?.filter((effect) => effect.kind === "run_end") ?? [];
    if (runEnd.length > 0) run.effects = runEnd;
    else delete run.effects;
  }
  const field =
    run.status === "completed" ? "on_complete" : run.status === "failed" ? "on_failure" : undefined;
  if (field === undefined) return;
  const spec: RunNotification | undefined = definition[field];
  if (spec === undefined) return;
  const scope: ThreadScope = { definition, run, thread: run.main, machine };
  const params: Record<string, unknown> = {
    message: notificationText(renderOrKeep(scope, spec.message)),
    details: runDetailsOf(definition, run),
  };
  if (spec.title !== undefined) params.title = notificationText(renderOrKeep(scope, spec.title));
  const idempotencyKey = idempotencyKeyOf({ runId: run.id, threadId: "run", stepId: field, iterations: [] });
  const intent: EffectIntent = {
    id: `${idempotencyKey}#1`,
    kind: "run_end",
    idempotencyKey,
    threadId: "run",
    stepId: field,
    attempt: 1,
    service: spec.channel,
    method: NOTIFY_METHOD,
    params,
    requestedAt: machine.now,
  };
  run.effects = [...(run.effects ?? []).filter((effect) => effect.id !== intent.id), intent];
}

/** What the notification is about, for a receiver that reads fields rather than the message. */
function runDetailsOf(definition: WorkflowDefinition, run: RunState): Record<string, unknown> {
  const details: Record<string, unknown> = {
    run_id: run.id,
    workflow: definition.name,
    workflow_version: definition.version,
    status: run.status,
  };
  if (run.error !== undefined) details.error = { code: run.error.code, message: run.error.message };
  return details;
}

function renderOrKeep(scope: ThreadScope, value: unknown): unknown {
  try {
    return renderValue(scope, value);
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return value;
  }
}
