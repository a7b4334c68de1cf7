/**
 * @module
 * Per-step `error_handling`: what happens when a step fails (the agent reports `failed`, its
 * result fails validation, or it times out). Defaults are applied here so consumers read plain numbers.
 */
import { z } from "zod";
import { secondsSchema } from "./scalars.ts";

export const errorStrategySchema = z
  .enum(["retry", "continue", "fail", "fallback"])
  .describe("retry the step, continue past it, fail the run (default), or use fallback_value as its result");

export const errorHandlingSchema = z
  .strictObject({
    strategy: errorStrategySchema.default("fail"),
    max_retries: z.number().int().nonnegative().default(3).describe("Retries before giving up (default 3)"),
    retry_delay: secondsSchema.default(1).describe("Seconds before the first retry (default 1)"),
    backoff_multiplier: z
      .number()
      .min(1)
      .default(2)
      .describe("Each retry waits this much longer (default 2)"),
    max_delay: secondsSchema.default(300).describe("Upper bound of a retry delay in seconds (default 300)"),
    fallback_value: z.unknown().optional().describe("With strategy fallback: the step's result"),
    error_message: z.string().optional().describe("Message recorded when the step finally fails"),
  })
  .describe("What happens when the step fails");
export type ErrorHandling = z.output<typeof errorHandlingSchema>;
export type ErrorStrategy = z.output<typeof errorStrategySchema>;
