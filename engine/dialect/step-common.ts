/**
 * @module
 * The fields every step may carry besides its type-specific ones.
 */
import { z } from "zod";
import { errorHandlingSchema } from "./error-handling.ts";
import { conditionSchema, secondsSchema, stepIdSchema } from "./scalars.ts";
import { stateUpdateSpecSchema } from "./state.ts";

/** `client|server` as AroMCP writes it; accepted on any step and ignored (a step's type decides where it runs). */
export const executionContextSchema = z
  .enum(["client", "server"])
  .describe("Accepted for AroMCP compatibility and ignored: where a step runs is a property of its type");

export const messageFormatSchema = z.enum(["text", "markdown", "code"]).describe("How a message is rendered");

export const stepCommonShape = {
  id: stepIdSchema,
  description: z.string().optional().describe("What the step does, for people"),
  when: conditionSchema.optional().describe("Skip the step unless this is truthy"),
  state_update: stateUpdateSpecSchema.optional().describe("One state change applied when the step completes"),
  state_updates: z
    .array(stateUpdateSpecSchema)
    .optional()
    .describe("State changes applied in order when the step completes"),
  error_handling: errorHandlingSchema.optional(),
  timeout_seconds: secondsSchema
    .optional()
    .describe("The step fails if it is not completed within this time"),
  execution_context: executionContextSchema.optional(),
  format: messageFormatSchema
    .optional()
    .describe(
      "Rendering hint; used by user_message, accepted (and ignored) elsewhere as AroMCP files carry it",
    ),
};
