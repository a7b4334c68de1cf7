/**
 * @module
 * `wait_step`. With `seconds` or `until` the thread sleeps on a timer and the runtime wakes it.
 * Without either it hands control back to the agent once: the next `workflow_get_next_step`
 * carries on (this is how AroMCP workflows poll).
 */
import { MAX_DURATION_SECONDS } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import { renderValue } from "../thread-scope.ts";
import { addTimer } from "../timers.ts";
import { CONTINUE, type ServerStepHandler } from "./handler.ts";

const DEFAULT_MESSAGE = "Waiting. Call workflow_get_next_step again to continue.";

export const runWaitStep: ServerStepHandler<"wait_step"> = (scope, step, frame) => {
  const now = scope.machine.now;
  const message = step.message === undefined ? DEFAULT_MESSAGE : String(renderValue(scope, step.message));
  const until = wakeTime(renderValue(scope, step.seconds), renderValue(scope, step.until), now, step.id);
  frame.pc += 1;
  // the agent's own next call moves the run on: it may ask again at once
  if (until === undefined) return { kind: "stop", next: { status: "wait", message, retryAfterMs: 0 } };
  if (until <= now) return CONTINUE;
  const { thread, run } = scope;
  thread.waitingFor = { kind: "timer", stepId: step.id, until, message };
  addTimer(run, { at: until, kind: "wait", threadId: thread.id, stepId: step.id });
  return { kind: "stop", next: { status: "wait", message, retryAfterMs: until - now, until } };
};

function wakeTime(seconds: unknown, until: unknown, now: number, stepId: string): number | undefined {
  if (seconds !== undefined && seconds !== null) {
    const value = Number(seconds);
    if (!Number.isFinite(value) || value < 0 || value > MAX_DURATION_SECONDS) {
      throw new EngineError(
        "step.invalid_wait",
        `wait_step "${stepId}": seconds must be a number from 0 to ${MAX_DURATION_SECONDS} (1 year)`,
      );
    }
    return now + value * 1000;
  }
  if (until !== undefined && until !== null) {
    const at = Date.parse(String(until));
    if (Number.isNaN(at)) {
      throw new EngineError("step.invalid_wait", `wait_step "${stepId}": until must be an ISO date-time`);
    }
    if (at > now + MAX_DURATION_SECONDS * 1000) {
      throw new EngineError("step.invalid_wait", `wait_step "${stepId}": until must be at most 1 year away`);
    }
    return at;
  }
  return undefined;
}
