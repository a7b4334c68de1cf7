/**
 * @module
 * Phase 6 `triggers`: what starts a run on its own (webhooks, cron schedules, file changes,
 * custom events). Each may filter the event and map it to inputs.
 */
import { z } from "zod";
import { MAX_TOLERANCE_SECONDS } from "../events/signatures/timestamp-window.ts";
import { MAX_WEBHOOK_SECRETS } from "../events/webhook-limits.ts";
import { secondsSchema } from "./scalars.ts";

/**
 * Triggers per workflow: every trigger's filter and mappings may run for every event the tenant
 * takes in, so their number multiplies the work of an intake.
 */
export const MAX_TRIGGERS = 50;

const triggerCommonShape = {
  id: z.string().optional().describe("Name of the trigger (defaults to its position)"),
  description: z.string().optional(),
  filter: z
    .string()
    .optional()
    .describe("JavaScript over `event` (and bare event fields); the run starts only if truthy"),
  inputs_mapping: z
    .record(z.string(), z.string())
    .optional()
    .describe("input name → expression or {{ }} template over the event"),
  enabled: z.boolean().optional().describe("false switches the trigger off (default true)"),
};

export const webhookTriggerSchema = z
  .strictObject({
    type: z.literal("webhook"),
    ...triggerCommonShape,
    endpoint: z.string().min(1).describe("Path under /hooks/:tenant, e.g. /workflow/trigger"),
    secret: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        `Signing secret, usually {{ env.NAME }} (a capability field: literal text and {{ env.NAME }} references only); a list (current first, at most ${MAX_WEBHOOK_SECRETS}) while rotating`,
      ),
    signature: z
      .enum(["standard", "github", "stripe"])
      .optional()
      .describe(
        "Signature scheme: Standard Webhooks (default), GitHub X-Hub-Signature-256, Stripe-Signature",
      ),
    tolerance_seconds: secondsSchema
      .max(
        MAX_TOLERANCE_SECONDS,
        `at most ${MAX_TOLERANCE_SECONDS} seconds (1 day): a wider window would outlive the webhook dedup window and let a captured delivery be replayed`,
      )
      .optional()
      .describe("Accepted clock skew of signed timestamps (default 300, at most 86400)"),
  })
  .superRefine((trigger, ctx) => {
    if (Array.isArray(trigger.secret) && trigger.secret.length > MAX_WEBHOOK_SECRETS) {
      ctx.addIssue({
        code: "too_big",
        origin: "array",
        maximum: MAX_WEBHOOK_SECRETS,
        inclusive: true,
        input: trigger.secret,
        path: ["secret"],
        message: `at most ${MAX_WEBHOOK_SECRETS} secrets: the current one and those being rotated out (each costs a signature check per delivery)`,
      });
    }
  })
  .describe("Start a run when a signed webhook arrives");

export const scheduleTriggerSchema = z
  .strictObject({
    type: z.literal("schedule"),
    ...triggerCommonShape,
    cron: z.string().min(1).describe("Cron expression (5 or 6 fields)"),
    timezone: z.string().optional().describe("IANA time zone (default UTC)"),
    jitter: secondsSchema.optional().describe("Delay of up to this many seconds, fixed per schedule"),
    catchup: z
      .union([z.enum(["latest", "all", "none"]), z.boolean()])
      .optional()
      .describe("Ticks missed while down: latest (default; true), all (up to max_catchup), none (false)"),
    max_catchup: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("With catchup: all, most runs at once (default 10)"),
  })
  .describe("Start a run on a cron schedule");

export const fileChangeEventSchema = z.enum(["created", "modified", "deleted"]);

export const fileChangeTriggerSchema = z
  .strictObject({
    type: z.literal("file_change"),
    ...triggerCommonShape,
    pattern: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe("Glob(s), e.g. **/*.ts; a leading ! excludes"),
    events: z.array(fileChangeEventSchema).optional().describe("Kinds of change (default all)"),
  })
  .describe("Start a run when watched files change (sent by `edgeflow watch`)");

export const eventTriggerSchema = z
  .strictObject({
    type: z.literal("event"),
    ...triggerCommonShape,
    event_type: z.string().min(1).optional().describe("Event type to match (a trailing * matches a prefix)"),
    name: z.string().min(1).optional().describe("Alias of event_type"),
  })
  .superRefine((trigger, ctx) => {
    if (trigger.event_type === undefined && trigger.name === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["event_type"],
        message: "an event trigger needs event_type (or name)",
        params: { loaderCode: "loader.missing_field" },
      });
    }
  })
  .describe("Start a run when a custom event is posted to /events");

export const triggerSchema = z.discriminatedUnion("type", [
  webhookTriggerSchema,
  scheduleTriggerSchema,
  fileChangeTriggerSchema,
  eventTriggerSchema,
]);
export type Trigger = z.output<typeof triggerSchema>;
export type WebhookTrigger = z.output<typeof webhookTriggerSchema>;
export type ScheduleTrigger = z.output<typeof scheduleTriggerSchema>;
export type FileChangeTrigger = z.output<typeof fileChangeTriggerSchema>;
export type EventTrigger = z.output<typeof eventTriggerSchema>;
