/**
 * @module
 * The machine's view of a workflow definition: the dialect's own types, derived from its zod
 * schemas, under the names the machine uses. Definitions come out of the loader (or storage)
 * already parsed by those schemas, so the machine reads them as they are: no cast, no second
 * declaration of a step's fields. A step's type-specific fields are read after narrowing on
 * `type` (`isStepOf`, or a handler given `StepOf<T>`).
 */
import type {
  ComputedField,
  StateUpdateSpec as DialectStateUpdateSpec,
  ErrorHandling,
  Step,
  StepType,
  SubAgentTask,
  WorkflowDefinition,
} from "../dialect/index.ts";

export type WorkflowSpec = WorkflowDefinition;
/** Any step: the dialect's union, discriminated on `type`. */
export type StepNode = Step;
/** The step of one type. */
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type SubAgentTaskSpec = SubAgentTask;
export type ComputedFieldSpec = ComputedField;
export type StateUpdateSpec = DialectStateUpdateSpec;
/**
 * A step's `error_handling` as the failure code reads it: the dialect's, or one the machine makes
 * up (a `user_input` re-asking on a bad answer); a field left out takes the dialect's default.
 */
export type ErrorPolicy = Partial<ErrorHandling>;

export function isStepOf<T extends StepType>(step: Step, type: T): step is StepOf<T> {
  return step.type === type;
}
