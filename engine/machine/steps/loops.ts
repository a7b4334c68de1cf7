/**
 * @module
 * `while_loop` and `foreach`: push the body as a frame carrying the loop's variables.
 * `loop.iteration` is 1-based; `loop.index` is 0-based. The end of each pass is handled by
 * `finishFrame` in frames.ts.
 */
import { MAX_WHILE_ITERATIONS } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import type { Frame } from "../run-model.ts";
import { evaluateCondition, renderValue } from "../thread-scope.ts";
import { CONTINUE, type ServerStepHandler } from "./handler.ts";

export const runWhileLoop: ServerStepHandler<"while_loop"> = (scope, step, frame) => {
  const body: Frame = {
    ref: [...frame.ref, frame.pc, "body"],
    pc: 0,
    loop: {
      kind: "while",
      stepId: step.id,
      iteration: 1,
      // the dialect refuses more at publish; a definition stored before the ceiling gets it here
      maxIterations: Math.min(step.max_iterations, MAX_WHILE_ITERATIONS),
      onMaxIterations: step.on_max_iterations,
    },
  };
  // The condition sees `loop.iteration` of the pass it is about to allow, so the body frame is
  // in place while it is evaluated; it stays only if the loop is entered.
  scope.thread.frames.push(body);
  let enter = false;
  try {
    enter = hasSteps(step.body) && evaluateCondition(scope, step.condition);
  } finally {
    if (!enter) scope.thread.frames.pop();
  }
  frame.pc += 1;
  return CONTINUE;
};

export const runForeach: ServerStepHandler<"foreach"> = (scope, step, frame) => {
  const items = renderValue(scope, step.items);
  if (!Array.isArray(items)) {
    throw new EngineError(
      "step.invalid_items",
      `foreach "${step.id}": items must be an array, got ${describe(items)}`,
    );
  }
  const ref = [...frame.ref, frame.pc];
  frame.pc += 1;
  if (items.length === 0 || !hasSteps(step.body)) return CONTINUE;
  scope.thread.frames.push({
    ref: [...ref, "body"],
    pc: 0,
    loop: {
      kind: "foreach",
      stepId: step.id,
      iteration: 1,
      items,
      variableName: step.variable_name,
      indexName: step.index_name,
    },
  });
  return CONTINUE;
};

function hasSteps(list: unknown): boolean {
  return Array.isArray(list) && list.length > 0;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
