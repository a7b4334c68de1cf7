/**
 * @module
 * Leaf steps the engine runs itself (server side). Steps that own sub-steps are in `steps.ts`.
 */
import { z } from "zod";
import { CREDENTIAL_HEADER_MESSAGE, HEADER_NAME_PATTERN, isCredentialHeader } from "./header-names.ts";
import { freeObjectSchema, secondsSchema, statePathSchema, templateSchema } from "./scalars.ts";
import { MAX_USES_LENGTH } from "./services.ts";
import { stepCommonShape } from "./step-common.ts";

export const breakStepSchema = z
  .strictObject({ type: z.literal("break"), ...stepCommonShape })
  .describe("Leave the innermost loop (only inside a loop body)");
export type BreakStep = z.output<typeof breakStepSchema>;

export const continueStepSchema = z
  .strictObject({ type: z.literal("continue"), ...stepCommonShape })
  .describe("Go to the next iteration of the innermost loop (only inside a loop body)");
export type ContinueStep = z.output<typeof continueStepSchema>;

export const waitStepSchema = z
  .strictObject({
    type: z.literal("wait_step"),
    ...stepCommonShape,
    message: templateSchema.optional().describe("Shown while waiting"),
    seconds: secondsSchema.optional().describe("Wait this long on a timer"),
    until: z.string().optional().describe("Wait until this ISO 8601 time (templates allowed)"),
  })
  .describe("Wait on a timer, or without seconds/until pause until the agent asks for the next step");
export type WaitStep = z.output<typeof waitStepSchema>;

export const setStateStepSchema = z
  .strictObject({ type: z.literal("set_state"), ...stepCommonShape })
  .superRefine((step, ctx) => {
    if (step.state_update === undefined && step.state_updates === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["state_update"],
        message: "a set_state step needs state_update or state_updates",
        params: { loaderCode: "loader.missing_field" },
      });
    }
  })
  .describe("A pure state change: only state_update/state_updates");
export type SetStateStep = z.output<typeof setStateStepSchema>;

export const dependencyFlowStepSchema = z
  .strictObject({
    type: z.literal("dependency_flow"),
    ...stepCommonShape,
    graph: templateSchema
      .optional()
      .describe("The graph to run: `{{ dependencies }}`, the file's dependencies block (the default)"),
    parallel_limit: z.number().int().positive().optional().describe("Tasks run at once at most"),
    store_results: statePathSchema.optional().describe("State path that receives the task results"),
  })
  .describe("Run a dependency graph of tasks (phase 6)");
export type DependencyFlowStep = z.output<typeof dependencyFlowStepSchema>;

export const externalCallAuthSchema = z
  .strictObject({
    type: z.enum(["bearer", "basic", "header", "none"]).describe("Authentication scheme"),
    token: z.string().optional().describe("Bearer token, e.g. {{ env.API_TOKEN }}"),
    username: z.string().optional(),
    password: z.string().optional(),
    header: z
      .string()
      .regex(HEADER_NAME_PATTERN, "not a header name")
      .refine(isCredentialHeader, CREDENTIAL_HEADER_MESSAGE)
      .optional()
      .describe(
        "Header name for type header (not Host, Content-Length, Idempotency-Key, Accept, Content-Type, User-Agent, ...)",
      ),
    value: z.string().optional().describe("Header value for type header"),
  })
  .describe(
    "How the call authenticates. Capability fields: literal text and {{ env.NAME }} secret references only (Bearer {{ env.TOKEN }} is fine)",
  );

export const externalCallStepSchema = z
  .strictObject({
    type: z.literal("external_call"),
    ...stepCommonShape,
    service: z
      .string()
      .min(1)
      .describe(
        "Service name: one of the workflow's services:, else a service the tenant registered; with uses: and no such service, an inline service of that plugin",
      ),
    method: z.string().min(1).describe("Operation on the service"),
    params: freeObjectSchema.optional().describe("Arguments (templates allowed)"),
    auth: externalCallAuthSchema.optional(),
    uses: z
      .string()
      .max(MAX_USES_LENGTH)
      .optional()
      .describe(
        'Plugin and semver range, "<name>@<range>": the plugin of an inline service, or a range the named service must satisfy',
      ),
    store_result: statePathSchema.optional().describe("State path that receives the result"),
  })
  .describe("Call an external service from the engine (phase 6)");
export type ExternalCallStep = z.output<typeof externalCallStepSchema>;

export const notifyStepSchema = z
  .strictObject({
    type: z.literal("notify"),
    ...stepCommonShape,
    channel: z
      .string()
      .min(1)
      .describe(
        "Service of a notify plugin (webhook, slack, email): the workflow's services:, else the tenant's, else inline with uses:",
      ),
    message: templateSchema.describe("Notification text"),
    title: z.string().optional(),
    uses: z
      .string()
      .max(MAX_USES_LENGTH)
      .optional()
      .describe(
        'Plugin and semver range, "<name>@<range>": the plugin of an inline channel, or a range the named service must satisfy',
      ),
  })
  .describe("Send a notification (phase 6)");
export type NotifyStep = z.output<typeof notifyStepSchema>;
