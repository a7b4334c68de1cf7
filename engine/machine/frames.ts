/**
 * @module
 * Moving through the frame stack: ending a list of steps (which repeats or leaves a loop),
 * `break` and `continue`. A loop's body frame carries the loop's variables.
 */
import { EngineError } from "../errors.ts";
import { stepListAt, stepOfTypeAt } from "./definition.ts";
import type { Frame, LoopFrame } from "./run-model.ts";
import { evaluateCondition, type ThreadScope } from "./thread-scope.ts";
import { addWarning } from "./warnings.ts";

export function topFrame(scope: ThreadScope): Frame | undefined {
  return scope.thread.frames.at(-1);
}

/** The step list behind `frame` has run to its end: repeat the loop or pop the frame. */
export function finishFrame(scope: ThreadScope, frame: Frame): void {
  const loop = frame.loop;
  if (!loop) {
    scope.thread.frames.pop();
    return;
  }
  loop.iteration += 1;
  if (loop.kind === "foreach") {
    if (loop.iteration > (loop.items?.length ?? 0)) scope.thread.frames.pop();
    else frame.pc = 0;
    return;
  }
  const whileStep = stepOfTypeAt(scope.definition, frame.ref.slice(0, -1), "while_loop");
  const again = evaluateCondition(scope, whileStep.condition);
  if (again && loop.iteration > (loop.maxIterations ?? 100)) {
    stopAtMaxIterations(scope, loop);
    scope.thread.frames.pop();
    return;
  }
  if (again) frame.pc = 0;
  else scope.thread.frames.pop();
}

/**
 * A `while_loop` ran `max_iterations` passes and its condition still holds: `on_max_iterations:
 * fail` throws `step.max_iterations` (the loop step's error handling applies); otherwise the run
 * records a warning and goes on after the loop.
 */
function stopAtMaxIterations(scope: ThreadScope, loop: LoopFrame): void {
  const passes = loop.iteration - 1;
  const message =
    `while_loop "${loop.stepId}" stopped after max_iterations (${passes}) passes ` +
    "with its condition still true";
  if (loop.onMaxIterations === "fail") throw new EngineError("step.max_iterations", message);
  addWarning(scope, {
    code: "step.max_iterations",
    step_id: loop.stepId,
    message: `${message}; the run went on after the loop (on_max_iterations: continue)`,
  });
}

/** `break`: leave the innermost loop. */
export function breakLoop(scope: ThreadScope): void {
  const frames = scope.thread.frames;
  while (frames.length > 0) {
    const frame = frames.pop()!;
    if (frame.loop) return;
  }
  throw new EngineError("run.break_outside_loop", "break is only allowed inside a loop body");
}

/** `continue`: skip the rest of the innermost loop's body. */
export function continueLoop(scope: ThreadScope): void {
  const frames = scope.thread.frames;
  while (frames.length > 0) {
    const frame = frames.at(-1)!;
    if (frame.loop) {
      frame.pc = stepListAt(scope.definition, frame.ref).length;
      return;
    }
    frames.pop();
  }
  throw new EngineError("run.continue_outside_loop", "continue is only allowed inside a loop body");
}
