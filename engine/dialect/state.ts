/**
 * @module
 * Inputs, initial state, the state schema (with computed fields) and the embedded state
 * update spec used by every step.
 */
import { z } from "zod";
import { freeObjectSchema, statePathSchema, valueTypeSchema, valueValidationSchema } from "./scalars.ts";

const inputObjectSchema = z
  .strictObject({
    type: valueTypeSchema,
    description: z.string().optional().describe("What the input is for (shown to agents)"),
    required: z.boolean().default(true).describe("Whether the caller must give it (default true)"),
    default: z.unknown().optional().describe("Value used when the input is not given"),
    validation: valueValidationSchema.optional(),
  })
  .describe("An input parameter");

/** One input: `{type, description, required, default, validation}`; a bare type string is shorthand for `{type}`. */
export const inputSpecSchema = z
  .union([valueTypeSchema, inputObjectSchema])
  .transform((spec): InputSpec => (typeof spec === "string" ? { type: spec, required: true } : spec))
  .describe("An input parameter, or a bare type name as shorthand for {type}");
export type InputSpec = z.output<typeof inputObjectSchema>;

export const inputsSchema = z
  .record(z.string(), inputSpecSchema)
  .describe("Inputs given when a run starts (read-only as inputs.*)");

/** Initial values of the state tiers. */
export const defaultStateSchema = z
  .strictObject({
    state: freeObjectSchema.optional().describe("Initial state fields (this.*)"),
    global: freeObjectSchema.optional().describe("Initial global variables (global.*)"),
    inputs: freeObjectSchema.optional().describe("Defaults for inputs"),
  })
  .describe("Initial values of the state tiers");
export type DefaultState = z.output<typeof defaultStateSchema>;

/** Where a computed field reads from: one path/template (`input` is the value) or a list (`input` is an array). */
export type ComputedFrom = string | string[];

/** A derived value, recomputed whenever one of its `from` paths changes. */
export const computedFieldSchema = z
  .strictObject({
    from: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        "A path (this.x, inputs.y, global.z, loop.iteration) or `{{ expr }}`, or a list of them (then `input` is an array)",
      ),
    transform: z
      .string()
      .describe("JavaScript over `input`: an expression, or a statement body that uses `return`"),
    on_error: z
      .enum(["use_fallback", "propagate", "ignore"])
      .default("use_fallback")
      .describe("use_fallback stores `fallback`; ignore keeps the previous value; propagate fails the step"),
    fallback: z.unknown().optional().describe("Value used when the transform fails (default null)"),
    description: z.string().optional(),
  })
  .describe("A computed field");
export type ComputedField = z.output<typeof computedFieldSchema>;

/** The `from` of a computed field as a list, whatever form it was written in. */
export function computedSources(field: { from: ComputedFrom }): string[] {
  return typeof field.from === "string" ? [field.from] : field.from;
}

export const stateSchemaSchema = z
  .strictObject({
    inputs: z.record(z.string(), valueTypeSchema).optional().describe("Types of inputs"),
    state: z.record(z.string(), valueTypeSchema).optional().describe("Types of state fields"),
    computed: z.record(z.string(), computedFieldSchema).optional().describe("Computed fields"),
  })
  .describe("Types of the state tiers and the computed fields");
export type StateSchema = z.output<typeof stateSchemaSchema>;

export const updateOperationSchema = z
  .enum(["set", "increment", "decrement", "append", "multiply", "merge"])
  .describe("How `value` is applied to `path` (default set)");

const OPERATIONS_WITH_DEFAULT_VALUE = new Set(["increment", "decrement"]);

/** One state change: `{path, value, operation}`. `value` may be omitted for increment/decrement (by 1). */
export const stateUpdateSpecSchema = z
  .strictObject({
    path: statePathSchema,
    value: z
      .unknown()
      .optional()
      .describe(
        "A literal, a `{{ }}` template, or an expression over a client step's result (stdout, response.x)",
      ),
    operation: updateOperationSchema.default("set"),
  })
  .superRefine((update, ctx) => {
    if (!Object.hasOwn(update, "value") && !OPERATIONS_WITH_DEFAULT_VALUE.has(update.operation)) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: "a state update needs a `value` (only increment and decrement default to 1)",
        params: { loaderCode: "loader.missing_field" },
      });
    }
  })
  .describe("A state update");
export type StateUpdateSpec = z.output<typeof stateUpdateSpecSchema>;
