/**
 * @module
 * The event model: everything that can start runs (a verified webhook delivery, a schedule
 * fire, a file change, a custom event posted to /events) is one `TriggerEvent`. The zod schema
 * is the single source of truth for the type and validates bodies posted to /events. Events
 * are plain JSON so the TenantDO can store them in its event log before answering 202.
 */
import { z } from "zod";
import { fileChangeEventSchema } from "../dialect/triggers.ts";

/** The types edgeflow itself produces; any other valid type is a custom event. */
export const BUILTIN_EVENT_TYPES = ["webhook", "schedule", "file_change", "event"] as const;

/** Letters, digits and `_ . : - /`, starting with a letter, digit or `_` (e.g. `github.push`). */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;

export const eventTypeSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(EVENT_TYPE_PATTERN, "an event type is letters, digits and _ . : - / (e.g. deploy.requested)")
  .describe("Event type: webhook, schedule, file_change, event, or a custom name such as github.push");

export const triggerEventSchema = z
  .strictObject({
    id: z.string().min(1).max(256).describe("Unique per event; retries of one delivery share it"),
    type: eventTypeSchema,
    source: z
      .string()
      .max(1024)
      .describe("Where it came from: the webhook endpoint, the schedule's subscription id, the watched root"),
    payload: z
      .unknown()
      .describe("The event's data: a webhook's parsed body, a file change's {path, change}"),
    receivedAt: z.number().int().nonnegative().describe("When edgeflow received it, ms since the epoch"),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        "Webhooks: request headers, lowercased, without credentials or signatures; a posted event: its valid traceparent only",
      ),
  })
  .describe("An event that may start runs");
export type TriggerEvent = z.output<typeof triggerEventSchema>;

/** The payload of a `file_change` event. */
export const fileChangePayloadSchema = z
  .strictObject({
    path: z.string().min(1).max(4096).describe("Path relative to the watched root, with / separators"),
    change: fileChangeEventSchema,
  })
  .describe("One coalesced file-system change");
export type FileChangePayload = z.output<typeof fileChangePayloadSchema>;
export type FileChangeKind = FileChangePayload["change"];
