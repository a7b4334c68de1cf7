/**
 * @module
 * `conditional`: evaluate `condition`, then run `then_steps` or `else_steps` as a nested frame.
 */
import { evaluateCondition } from "../thread-scope.ts";
import { CONTINUE, type ServerStepHandler } from "./handler.ts";

export const runConditional: ServerStepHandler<"conditional"> = (scope, step, frame) => {
  const branch = evaluateCondition(scope, step.condition) ? "then_steps" : "else_steps";
  const ref = [...frame.ref, frame.pc];
  frame.pc += 1;
  const steps = step[branch];
  if (Array.isArray(steps) && steps.length > 0) scope.thread.frames.push({ ref: [...ref, branch], pc: 0 });
  return CONTINUE;
};
