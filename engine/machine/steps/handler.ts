/**
 * @module
 * The shape of a server-side step handler. A handler moves the thread (pc, frames, state, timers)
 * and says whether the thread goes on or stops for now. The table of handlers is keyed by the
 * dialect's step types (`ServerStepHandlers`): leaving a server step type out is a compile error.
 */

import type { Frame, NextStep } from "../run-model.ts";
import type { ServerStepType } from "../step-kinds.ts";
import type { StepOf } from "../step-types.ts";
import type { ThreadScope } from "../thread-scope.ts";

/**
 * `reissue`: the step was refused and is to be handed out again at once (an answer that did not
 * fit its declared shape, `reask.ts`): the caller answers with the step rather than `ready`.
 */
export type StepOutcome = { kind: "continue"; reissue?: true } | { kind: "stop"; next: NextStep };

export const CONTINUE: StepOutcome = { kind: "continue" };

/** Runs one step of type `T`, given that step with its type's fields. */
export type ServerStepHandler<T extends ServerStepType> = (
  scope: ThreadScope,
  step: StepOf<T>,
  frame: Frame,
) => StepOutcome;

/** One handler per server step type, each typed for its own steps. */
export type ServerStepHandlers = { readonly [T in ServerStepType]: ServerStepHandler<T> };
