/**
 * @module
 * The small value shapes the dialect reuses everywhere: identifiers, names, templates,
 * conditions, state paths and value types. Semantic checks that need more than a pattern
 * (semver, read-only scopes) live in the loader.
 */
import { z } from "zod";

/** `^[A-Za-z_][A-Za-z0-9_]*$`: step ids, unique in a file (nested steps included). */
export const STEP_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `category:action`, each part letters, digits, `_`, `-`; the `:action` part optional. */
export const WORKFLOW_NAME_PATTERN = /^[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$/;

export const stepIdSchema = z
  .string()
  .regex(STEP_ID_PATTERN, "a step id must match ^[A-Za-z_][A-Za-z0-9_]*$")
  .describe("Step id, unique in the file (nested steps included): ^[A-Za-z_][A-Za-z0-9_]*$");

export const workflowNameSchema = z
  .string()
  .regex(WORKFLOW_NAME_PATTERN, "a workflow name must look like category:action")
  .describe("Workflow name, `category:action` (letters, digits, _ and -; the `:action` part optional)");

/** A version string; the loader checks it with `semver` (`loader.bad_version`). */
export const semverSchema = z
  .string()
  .describe("Semantic version MAJOR.MINOR.PATCH (pre-release and build suffixes allowed)");

/** Any string that may contain `{{ expr }}` templates. */
export const templateSchema = z
  .string()
  .describe(
    "Text; `{{ expr }}` templates are evaluated (a string that is exactly one template keeps its type)",
  );

/** A truthy/falsy JavaScript value: `"{{ this.ready }}"`, `"count > 3"`, or a literal boolean. */
export const conditionSchema = z
  .union([z.string(), z.boolean()])
  .describe("Condition: a `{{ expr }}` template or a bare JavaScript expression; truthy means yes");

/** A list to iterate: a template that evaluates to an array, or a literal array. */
export const itemsSchema = z
  .union([z.string(), z.array(z.unknown())])
  .describe("Items to iterate: a `{{ expr }}` that evaluates to an array, or a literal array");

/** A writable state path such as `this.counter`, `global.total`, `this.a.b.c` (legacy `state.x`, `raw.x`). */
export const statePathSchema = z
  .string()
  .min(1)
  .describe(
    "State path: this.x, global.x, nested this.a.b (legacy state.x / raw.x); inputs, computed, loop, config, event and tasks are read-only",
  );

/** The value types of inputs and state fields. */
export const valueTypeSchema = z
  .enum(["string", "number", "boolean", "object", "array", "any"])
  .describe("Value type");
export type ValueType = z.output<typeof valueTypeSchema>;

/**
 * The longest duration the dialect accepts anywhere (`seconds`, `timeout_seconds`, `retry_delay`,
 * `max_delay`, ...): 1 year. A longer timer could not be written as a date or set as an alarm.
 */
export const MAX_DURATION_SECONDS = 365 * 24 * 60 * 60;

/** A number of seconds (fractions allowed), at most `MAX_DURATION_SECONDS`. */
export const secondsSchema = z
  .number()
  .nonnegative()
  .max(MAX_DURATION_SECONDS, `at most ${MAX_DURATION_SECONDS} seconds (1 year)`)
  .describe("Seconds (at most 31536000, 1 year)");

/** A free-form object (tool parameters, config blocks, JSON Schemas). */
export const freeObjectSchema = z.record(z.string(), z.unknown());

/** Validation rules for a value (user input, inputs, agent responses). */
export const valueValidationSchema = z
  .strictObject({
    pattern: z.string().optional().describe("Regular expression the string value must match"),
    min: z.number().optional().describe("Minimum for numbers"),
    max: z.number().optional().describe("Maximum for numbers"),
    min_length: z.number().int().nonnegative().optional().describe("Minimum length of a string or array"),
    max_length: z.number().int().nonnegative().optional().describe("Maximum length of a string or array"),
    enum: z.array(z.unknown()).optional().describe("Allowed values"),
    required_fields: z.array(z.string()).optional().describe("Fields an object value must have"),
    error_message: z.string().optional().describe("Message shown when validation fails"),
  })
  .describe("Validation rules for a value");
export type ValueValidation = z.output<typeof valueValidationSchema>;
