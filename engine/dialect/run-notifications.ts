/**
 * @module
 * Workflow-level `on_complete` / `on_failure`: a notification sent through a notify service once
 * when a run ends (completed, or failed). Delivered like a `notify` step's (crash-safe, with an
 * idempotency key per run), but no step waits for it: its failure is logged, the run's end stands.
 */
import { z } from "zod";
import { templateSchema } from "./scalars.ts";
import { MAX_USES_LENGTH } from "./services.ts";

export const runNotificationSchema = z
  .strictObject({
    channel: z.string().min(1).describe("The notify service that delivers it"),
    message: templateSchema.describe("Notification text (templates see the run's final state)"),
    title: z.string().optional(),
    uses: z.string().max(MAX_USES_LENGTH).optional().describe("Plugin that delivers it, `name@semver-range`"),
  })
  .describe("A notification sent once when the run ends");
export type RunNotification = z.output<typeof runNotificationSchema>;
