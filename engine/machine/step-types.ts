/**
 * @module
 * How the machine reads the dialect's steps. The machine takes the dialect's own types, derived
 * from its zod schemas (`WorkflowDefinition`, `Step`, `SubAgentTask`, ...), with no cast and no
 * second declaration: definitions come out of the loader (or storage) already parsed by those
 * schemas. A step's type-specific fields are read after narrowing on `type`: a handler is given
 * `StepOf<T>`, other code narrows with `isStepOf` or `step.type === ...`.
 */
import type { ErrorHandling, Step, StepType } from "../dialect/index.ts";

/** The step of one type. */
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

export function isStepOf<T extends StepType>(step: Step, type: T): step is StepOf<T> {
  return step.type === type;
}

/**
 * A step's `error_handling` as the failure code reads it: the dialect's, or one the machine makes
 * up (a `user_input` re-asking on a bad answer); a field left out takes the dialect's default.
 */
export type ErrorPolicy = Partial<ErrorHandling>;
