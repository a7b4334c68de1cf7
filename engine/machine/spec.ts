/**
 * @module
 * The parts of a loaded workflow definition that the step machine reads, with the step fields it
 * relies on. Definitions come out of the loader already validated; this is the machine's view.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";

export interface ComputedFieldSpec {
  from: string | string[];
  transform?: string | undefined;
  on_error?: "use_fallback" | "propagate" | "ignore" | undefined;
  fallback?: unknown;
}

export interface StateUpdateSpec {
  path: string;
  value?: unknown;
  operation?: string | undefined;
}

export interface ErrorHandlingSpec {
  strategy?: "retry" | "continue" | "fail" | "fallback" | undefined;
  max_retries?: number | undefined;
  retry_delay?: number | undefined;
  backoff_multiplier?: number | undefined;
  max_delay?: number | undefined;
  timeout_seconds?: number | undefined;
  fallback_value?: unknown;
  error_message?: string | undefined;
}

/** A step as the machine sees it: `id`, `type` and the type's own fields. */
export interface StepNode {
  id: string;
  type: string;
  when?: unknown;
  state_update?: StateUpdateSpec | undefined;
  state_updates?: StateUpdateSpec[] | undefined;
  error_handling?: ErrorHandlingSpec | undefined;
  timeout_seconds?: number | undefined;
  [field: string]: unknown;
}

export interface InputFieldSpec {
  type?: string | undefined;
  description?: string | undefined;
  required?: boolean | undefined;
  default?: unknown;
}

export interface StateSpec {
  inputs?: Record<string, InputFieldSpec> | undefined;
  default_state?:
    | { state?: Record<string, unknown>; global?: Record<string, unknown>; inputs?: Record<string, unknown> }
    | undefined;
  state_schema?: { computed?: Record<string, ComputedFieldSpec> | undefined } | undefined;
}

export interface SubAgentTaskSpec extends StateSpec {
  description?: string | undefined;
  prompt_template?: string | undefined;
  context_template?: string | undefined;
  steps?: StepNode[] | undefined;
}

export interface WorkflowSpec extends StateSpec {
  name: string;
  version: string;
  description?: string | undefined;
  config?: Record<string, unknown> | undefined;
  steps: StepNode[];
  sub_agent_tasks?: Record<string, SubAgentTaskSpec> | undefined;
  /** the dependency graph (normalised by the dialect); a task's `run` is a step list */
  dependencies?: Record<string, { run?: StepNode[] | undefined }> | undefined;
}

/**
 * The machine reads step fields by name after dispatching on `type`; the loader has already
 * validated every field against the dialect's zod schemas, so the view is a cast, not a check.
 */
export function machineView(definition: WorkflowDefinition): WorkflowSpec {
  return definition as unknown as WorkflowSpec;
}
