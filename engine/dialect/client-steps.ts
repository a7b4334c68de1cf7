/**
 * @module
 * Steps handed to the agent by `workflow_get_next_step` (client side). `parallel_foreach` is in
 * `steps.ts` with the other steps that own sub-steps or tasks.
 */
import { z } from "zod";
import { answerShapeSchema } from "./answer-shape.ts";
import { RETRY_DEFAULTS } from "./error-handling.ts";
import {
  freeObjectSchema,
  secondsSchema,
  statePathSchema,
  templateSchema,
  valueValidationSchema,
} from "./scalars.ts";
import { stepCommonShape } from "./step-common.ts";

/** The most re-asks a step may declare (`max_retries` of `user_input`, `agent_prompt`, `agent_response`). */
export const MAX_REASKS = 10;

/**
 * `max_retries` of a step whose answer has a declared shape: how many times an answer that does
 * not fit is refused and the step asked again (with the validation error) before the step fails
 * through its `error_handling`. Left out: `RETRY_DEFAULTS.max_retries`, applied by the machine.
 */
function shapeRetriesSchema(schemaField: string) {
  return z
    .number()
    .int()
    .nonnegative()
    .max(MAX_REASKS, `at most ${MAX_REASKS} re-asks`)
    .optional()
    .describe(
      `Re-asks after an answer that does not fit ${schemaField} (default ${RETRY_DEFAULTS.max_retries}, at most ${MAX_REASKS}; 0: fail at once)`,
    );
}

export const userMessageStepSchema = z
  .strictObject({
    type: z.literal("user_message"),
    ...stepCommonShape,
    message: templateSchema.describe("Text shown to the user"),
    message_type: z.enum(["info", "warning", "error", "success"]).optional().describe("Kind of message"),
    title: z.string().optional(),
  })
  .describe("Show a message to the user (consecutive messages are handed out together)");
export type UserMessageStep = z.output<typeof userMessageStepSchema>;

export const mcpCallStepSchema = z
  .strictObject({
    type: z.literal("mcp_call"),
    ...stepCommonShape,
    tool: z.string().min(1).describe("MCP tool the agent calls"),
    parameters: freeObjectSchema.optional().describe("Tool arguments (templates allowed)"),
    store_result: statePathSchema.optional().describe("State path that receives the tool result"),
    timeout: secondsSchema.optional().describe("Seconds the call may take"),
  })
  .describe("The agent calls an MCP tool on its side");
export type McpCallStep = z.output<typeof mcpCallStepSchema>;

export const shellCommandStepSchema = z
  .strictObject({
    type: z.literal("shell_command"),
    ...stepCommonShape,
    command: templateSchema.describe("Command the agent runs"),
    working_directory: z.string().optional(),
    timeout: secondsSchema.optional().describe("Seconds the command may take"),
  })
  .describe("The agent runs a shell command; updates may use value stdout|stderr|returncode|full_output");
export type ShellCommandStep = z.output<typeof shellCommandStepSchema>;

export const userInputStepSchema = z
  .strictObject({
    type: z.literal("user_input"),
    ...stepCommonShape,
    prompt: templateSchema.describe("Question asked"),
    instructions: z.string().optional(),
    input_type: z.enum(["string", "number", "boolean", "choice"]).optional().describe("Kind of answer"),
    choices: z.array(z.unknown()).optional().describe("Allowed answers for input_type choice"),
    validation: valueValidationSchema.optional(),
    default: z.unknown().optional().describe("Answer used when the user gives none"),
    max_retries: z
      .number()
      .int()
      .nonnegative()
      .max(MAX_REASKS, `at most ${MAX_REASKS} re-asks`)
      .default(RETRY_DEFAULTS.max_retries)
      .describe(
        `Re-asks after invalid answers (default ${RETRY_DEFAULTS.max_retries}, at most ${MAX_REASKS})`,
      ),
  })
  .describe("Ask the user for a value");
export type UserInputStep = z.output<typeof userInputStepSchema>;

export const agentPromptStepSchema = z
  .strictObject({
    type: z.literal("agent_prompt"),
    ...stepCommonShape,
    prompt: templateSchema.describe("Instruction for the agent"),
    context: z.unknown().optional().describe("Extra data handed to the agent (templates allowed)"),
    expected_response: answerShapeSchema.optional().describe("JSON Schema (subset) of the expected answer"),
    timeout: secondsSchema.optional().describe("Seconds the agent has"),
    max_retries: shapeRetriesSchema("expected_response"),
  })
  .describe("Ask the agent to do something");
export type AgentPromptStep = z.output<typeof agentPromptStepSchema>;

export const agentResponseStepSchema = z
  .strictObject({
    type: z.literal("agent_response"),
    ...stepCommonShape,
    response_schema: answerShapeSchema.optional().describe("JSON Schema (subset) the response must satisfy"),
    store_response: statePathSchema.optional().describe("State path that receives the response"),
    validation: valueValidationSchema.optional(),
    max_retries: shapeRetriesSchema("response_schema"),
  })
  .describe("Receive a structured response from the agent; `response` is in scope for updates");
export type AgentResponseStep = z.output<typeof agentResponseStepSchema>;
