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

/**
 * What an `error_handling` field left out means, the one place these numbers are written: the
 * schema fills them in, and the machine falls back to them for a step without `error_handling`.
 */
export const RETRY_DEFAULTS = {
  max_retries: 3,
  retry_delay: 1,
  backoff_multiplier: 2,
  max_delay: 300,
} as const;

export const errorHandlingSchema = z
  .strictObject({
    strategy: errorStrategySchema.default("fail"),
    max_retries: z
      .number()
      .int()
      .nonnegative()
      .default(RETRY_DEFAULTS.max_retries)
      .describe(`Retries before giving up (default ${RETRY_DEFAULTS.max_retries})`),
    retry_delay: secondsSchema
      .default(RETRY_DEFAULTS.retry_delay)
      .describe(`Seconds before the first retry (default ${RETRY_DEFAULTS.retry_delay})`),
    backoff_multiplier: z
      .number()
      .min(1)
      .default(RETRY_DEFAULTS.backoff_multiplier)
      .describe(`Each retry waits this much longer (default ${RETRY_DEFAULTS.backoff_multiplier})`),
    max_delay: secondsSchema
      .default(RETRY_DEFAULTS.max_delay)
      .describe(`Upper bound of a retry delay in seconds (default ${RETRY_DEFAULTS.max_delay})`),
    fallback_value: z.unknown().optional().describe("With strategy fallback: the step's result"),
    error_message: z.string().optional().describe("Message recorded when the step finally fails"),
  })
  .describe("What happens when the step fails");
export type ErrorHandling = z.output<typeof errorHandlingSchema>;
export type ErrorStrategy = z.output<typeof errorStrategySchema>;
