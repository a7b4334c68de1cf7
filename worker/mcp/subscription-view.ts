/**
 * @module
 * How a subscription looks to an agent: what it listens for, what it starts, and for schedules
 * when they fire next. A webhook trigger's `secret` is never shown (not even its template).
 */
import { z } from "zod";
import type { ScheduleRecord, StoredSubscription } from "../../durable-objects/tenant/contracts.ts";

export const subscriptionViewSchema = z.object({
  subscription_id: z.string().describe("pass to workflow_unsubscribe (api subscriptions only)"),
  workflow: z.string(),
  version: z
    .string()
    .optional()
    .describe("the version whose trigger registered it; its runs start that version"),
  origin: z
    .enum(["trigger", "api"])
    .describe("trigger: from the workflow's `triggers:`; api: made with workflow_subscribe_events"),
  event_pattern: z.string().describe("event types it matches (* matches anything)"),
  enabled: z.boolean(),
  trigger: z
    .object({
      type: z.enum(["webhook", "schedule", "file_change", "event"]),
      endpoint: z.string().optional().describe("webhook: POST /hooks/<tenant><endpoint>"),
      signature: z.string().optional(),
      cron: z.string().optional(),
      timezone: z.string().optional(),
      jitter: z.number().optional(),
      catchup: z.string().optional(),
      pattern: z.union([z.string(), z.array(z.string())]).optional(),
      events: z.array(z.string()).optional(),
      event_type: z.string().optional(),
    })
    .optional(),
  filter: z.string().optional(),
  inputs_mapping: z.record(z.string(), z.string()).optional(),
  schedule: z
    .object({
      next_fire_at: z.string().nullable().describe("when it fires next (jitter included); null: never again"),
      last_fired_at: z.string().describe("the last due time handled"),
    })
    .optional(),
  created_at: z.string(),
});
export type SubscriptionView = z.input<typeof subscriptionViewSchema>;

export function subscriptionView(stored: StoredSubscription, schedule?: ScheduleRecord): SubscriptionView {
  const { subscription } = stored;
  const view: SubscriptionView = {
    subscription_id: subscription.id,
    workflow: subscription.workflow,
    origin: stored.origin,
    event_pattern: subscription.event_pattern,
    enabled: subscription.enabled !== false,
    created_at: new Date(stored.createdAt).toISOString(),
  };
  if (subscription.version !== undefined) view.version = subscription.version;
  if (subscription.filter !== undefined) view.filter = subscription.filter;
  if (subscription.inputs_mapping !== undefined) view.inputs_mapping = subscription.inputs_mapping;
  const trigger = subscription.trigger;
  if (trigger !== undefined) {
    switch (trigger.type) {
      case "webhook":
        view.trigger = {
          type: "webhook",
          endpoint: trigger.endpoint,
          signature: trigger.signature ?? "standard",
        };
        break;
      case "schedule":
        view.trigger = {
          type: "schedule",
          cron: trigger.cron,
          timezone: trigger.timezone ?? "UTC",
          ...(trigger.jitter === undefined ? {} : { jitter: trigger.jitter }),
          ...(schedule === undefined ? {} : { catchup: schedule.catchup }),
        };
        break;
      case "file_change":
        view.trigger = {
          type: "file_change",
          pattern: trigger.pattern,
          ...(trigger.events === undefined ? {} : { events: trigger.events }),
        };
        break;
      case "event":
        view.trigger = { type: "event", event_type: subscription.event_pattern };
        break;
    }
  }
  if (schedule !== undefined) {
    view.schedule = {
      next_fire_at: schedule.nextFireAt === null ? null : new Date(schedule.nextFireAt).toISOString(),
      last_fired_at: new Date(schedule.lastFiredAt).toISOString(),
    };
  }
  return view;
}
