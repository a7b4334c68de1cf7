/**
 * @module
 * Moving through the frame stack: ending a list of steps (which repeats or leaves a loop),
 * `break` and `continue`. A loop's body frame carries the loop's variables.
 */
import { EngineError } from "../errors.ts";
import { stepListAt, stepOfTypeAt } from "./definition.ts";
import type { Frame } from "./run-model.ts";
import { evaluateCondition, type ThreadScope } from "./thread-scope.ts";

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
  if (loop.iteration > (loop.maxIterations ?? 100)) {
    scope.thread.frames.pop();
    return;
  }
  const whileStep = stepOfTypeAt(scope.definition, frame.ref.slice(0, -1), "while_loop");
  if (evaluateCondition(scope, whileStep.condition)) frame.pc = 0;
  else scope.thread.frames.pop();
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
