/**
 * @module
 * Handing a client step to an agent: render its fields (templates evaluated, engine-only fields
 * left out), record it as pending, and start its timeout if it has one.
 */

import type { Step } from "../dialect/index.ts";
import { warnDeprecatedStep } from "./deprecation-warnings.ts";
import { answerShapeOf, shapeRetriesOf } from "./reask.ts";
import { exampleOf } from "./response-example.ts";
import type { ClientInstruction, PendingStep } from "./run-model.ts";
import { ENGINE_FIELDS } from "./step-kinds.ts";
import { loopContextOf, renderValue, type ThreadScope } from "./thread-scope.ts";
import { addTimer } from "./timers.ts";

export function issueClientStep(scope: ThreadScope, step: Step, ref: (string | number)[]): ClientInstruction {
  const { thread, machine, run } = scope;
  warnDeprecatedStep(scope, step);
  const attempt = thread.attempts?.[step.id] ?? 1;
  const definition: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(step)) {
    if (!ENGINE_FIELDS.has(field)) definition[field] = renderValue(scope, value);
  }
  const retryReason = thread.retryReasons?.[step.id];
  if (retryReason !== undefined) definition.previous_error = retryReason;
  describeAnswerShape(step, definition, attempt);
  const pending: PendingStep = {
    id: step.id,
    type: step.type,
    attempt,
    issuedAt: machine.now,
    definition,
    ref,
    implicit: step.type === "user_message",
  };
  const loop = loopContextOf(thread);
  if (loop) pending.loop = loop;
  thread.pending.push(pending);
  const timeout = timeoutSeconds(step);
  if (timeout !== undefined && !pending.implicit) {
    addTimer(run, {
      at: machine.now + timeout * 1000,
      kind: "timeout",
      threadId: thread.id,
      stepId: step.id,
    });
  }
  return instructionOf(pending, thread.id);
}

export function instructionOf(pending: PendingStep, threadId: string): ClientInstruction {
  const instruction: ClientInstruction = {
    id: pending.id,
    type: pending.type,
    definition: pending.definition,
    attempt: pending.attempt,
  };
  if (threadId !== "main") instruction.task_id = threadId;
  return instruction;
}

/**
 * A step with a declared answer shape carries an example answer and a sentence saying how the
 * answer is judged and how many attempts it has (`reask.ts`).
 */
function describeAnswerShape(step: Step, definition: Record<string, unknown>, attempt: number): void {
  if (answerShapeOf(step) === undefined) return;
  const field = step.type === "agent_prompt" ? "expected_response" : "response_schema";
  const attempts = shapeRetriesOf(step) + 1;
  // the shape as handed out (the dialect refuses templates in it, so it is the one checked)
  definition.example_response = exampleOf(definition[field]);
  // the attempt counter also counts error_handling retries, so it may pass the re-asks allowed
  const judged =
    attempt < attempts
      ? `An answer that does not fit is refused and the step handed out again with previous_error ` +
        `(this is attempt ${attempt} of ${attempts}).`
      : `This is the last attempt (${attempt}): an answer that does not fit fails the step through its error_handling.`;
  definition.response_instructions =
    `Complete this step with a result that is JSON fitting ${field} (like example_response), not prose. ` +
    judged;
}

function timeoutSeconds(step: Step): number | undefined {
  const value = step.timeout_seconds;
  return value !== undefined && value > 0 ? value : undefined;
}
