/**
 * @module
 * What every notification plugin's `send` method takes: the `notify` step's `message` and `title`
 * (and for `on_complete`/`on_failure`, `details` about the run), so a workflow can switch from a
 * webhook to Slack or email by changing only its service. The method of the `notify` role is
 * always `send`.
 */
import { z } from "zod";

export const NOTIFY_METHOD = "send";

export const notificationSchema = z.strictObject({
  message: z.string().max(40_000).describe("The text of the notification"),
  title: z.string().max(250).optional().describe("A short heading (email subject, Slack header)"),
  details: z
    .record(z.string(), z.json())
    .optional()
    .describe("Structured data sent along (webhook data, Slack fields, email footer)"),
});
export type Notification = z.output<typeof notificationSchema>;
