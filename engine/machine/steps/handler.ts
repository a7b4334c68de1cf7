/**
 * @module
 * The shape of a server-side step handler. A handler moves the thread (pc, frames, state, timers)
 * and says whether the thread goes on or stops for now.
 */

import type { Frame, NextStep } from "../run-model.ts";
import type { StepNode } from "../spec.ts";
import type { ThreadScope } from "../thread-scope.ts";

export type StepOutcome = { kind: "continue" } | { kind: "stop"; next: NextStep };

export const CONTINUE: StepOutcome = { kind: "continue" };

export type ServerStepHandler = (scope: ThreadScope, step: StepNode, frame: Frame) => StepOutcome;
