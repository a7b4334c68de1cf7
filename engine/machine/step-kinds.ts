/**
 * @module
 * Which side runs each step type. Server-side steps run inside the engine; client-side steps are
 * handed to the agent. `user_message`s are batched: they complete by themselves.
 */

export const CLIENT_STEP_TYPES = new Set([
  "user_message",
  "mcp_call",
  "shell_command",
  "user_input",
  "agent_prompt",
  "agent_response",
]);

/** Step types the dialect accepts but the engine cannot run yet (`run.unsupported_step`). */
export const NOT_YET_RUNNABLE: ReadonlySet<string> = new Set<string>();

export function isClientStep(type: string): boolean {
  return CLIENT_STEP_TYPES.has(type);
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
