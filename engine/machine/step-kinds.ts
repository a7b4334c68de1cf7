/**
 * @module
 * Which side runs each step type. Server-side steps run inside the engine; client-side steps are
 * handed to the agent. `user_message`s are batched: they complete by themselves. Every type of
 * the dialect is one of: client-side, an effect (handed to the runtime), or a server step with a handler in
 * `advance.ts` (`ServerStepType`): a new step type that is none of these fails typecheck there.
 */
import type { StepType } from "../dialect/index.ts";

export const CLIENT_STEP_TYPES = [
  "user_message",
  "mcp_call",
  "shell_command",
  "user_input",
  "agent_prompt",
  "agent_response",
] as const satisfies readonly StepType[];
export type ClientStepType = (typeof CLIENT_STEP_TYPES)[number];

/**
 * Step types whose work is an effect on the outside world (`steps/effect-steps.ts`): the machine
 * hands them out to the runtime, which performs them and answers with an `effect` event.
 */
export const EFFECT_STEP_TYPES = ["external_call", "notify"] as const satisfies readonly StepType[];
export type EffectStepType = (typeof EFFECT_STEP_TYPES)[number];

/** The step types the machine runs itself, each with a handler (`parallel_foreach` included: it hands tasks out). */
export type ServerStepType = Exclude<StepType, ClientStepType | EffectStepType>;

const CLIENT_STEPS: ReadonlySet<string> = new Set(CLIENT_STEP_TYPES);
const EFFECT_STEPS: ReadonlySet<string> = new Set(EFFECT_STEP_TYPES);

export function isClientStep(type: string): type is ClientStepType {
  return CLIENT_STEPS.has(type);
}

export function isEffectStep(type: string): type is EffectStepType {
  return EFFECT_STEPS.has(type);
}

/** Fields that steer the engine rather than describe the work: not shown to the agent. */
export const ENGINE_FIELDS = new Set([
  "id",
  "type",
  "when",
  "state_update",
  "state_updates",
  "store_result",
  "store_response",
  "error_handling",
  "execution_context",
]);
