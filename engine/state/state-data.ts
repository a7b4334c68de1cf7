/**
 * @module
 * The data model of a run's state, shared by the state functions and the step machine.
 * Everything here is plain JSON so a run can be checkpointed and replayed.
 */

/** The writable and derived tiers of one state (the main run's, or one sub-agent task's). */
export interface StateData {
  /** inputs given at start with defaults applied; read-only after start */
  inputs: Record<string, unknown>;
  /** the `this` tier: state fields */
  state: Record<string, unknown>;
  /** the `global` tier */
  global: Record<string, unknown>;
  /** last computed value of every computed field */
  computed: Record<string, unknown>;
  /** per computed field, a fingerprint of the inputs its value was computed from */
  computedInputs: Record<string, string>;
}

/** Loop variables visible while a loop body runs (innermost loop wins). */
export interface LoopContext {
  item?: unknown;
  index?: number;
  iteration?: number;
  /** a `foreach`'s custom `variable_name` / `index_name`, bound as bare names */
  names?: Record<string, unknown>;
}

/** Everything besides the state tiers that an evaluation can see. */
export interface EvaluationContext {
  loop?: LoopContext;
  config?: Record<string, unknown>;
  event?: unknown;
  tasks?: Record<string, unknown>;
  /** step-local bare names (a completed step's result fields, `task_id`, ...); highest precedence */
  locals?: Record<string, unknown>;
}

export type UpdateOperation = "set" | "increment" | "decrement" | "append" | "multiply" | "merge";

/** A state change whose value has already been evaluated. */
export interface ResolvedUpdate {
  path: string;
  value: unknown;
  operation: UpdateOperation;
}
