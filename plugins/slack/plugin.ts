/**
 * @module
 * `slack@1.0.0`: a notification POSTed to a Slack incoming webhook (`config.webhook_url`, a
 * secret field: the URL is the credential). The JSON is `{text}` (the fallback Slack shows in
 * notifications) plus, with a title or details, `blocks`: a header with the title, the message as
 * a mrkdwn section, and the details as fields. Slack answers `ok` or an error text such as
 * `invalid_payload` with 400, 403, 404 or 410, and 429 with Retry-After when rate limited.
 */
import { z } from "zod";
import { definePlugin } from "../define-plugin.ts";
import { NOTIFY_METHOD, type Notification, notificationSchema } from "../notify/notification.ts";
import { httpStatusError } from "../outbound/http-status-error.ts";

const LABEL = "slack@1";
/** Slack's limits: a header's text, a section's text, fields per section. */
const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3000;
const FIELD_LIMIT = 10;

export const slackConfigSchema = z.strictObject({
  webhook_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("The incoming webhook's URL; a secret field"),
  username: z.string().max(80).optional().describe("Overrides the app's name where Slack allows it"),
  icon_emoji: z
    .string()
    .regex(/^:[a-z0-9_+-]+:$/)
    .optional(),
});

export const slackPlugin = definePlugin({
  name: "slack",
  version: "1.0.0",
  description: "Posts a notification to a Slack incoming webhook",
  roles: ["notify"],
  config: slackConfigSchema,
  capabilities: { http: true, sockets: false, bindings: [], secretFields: ["webhook_url"] },
  methods: (method) => ({
    [NOTIFY_METHOD]: method({
      description: "Posts one message",
      params: notificationSchema,
      result: z.strictObject({ status: z.number().int() }),
      run: async (notification, config, context) => {
        const payload = {
          ...slackMessage(notification),
          ...(config.username === undefined ? {} : { username: config.username }),
          ...(config.icon_emoji === undefined ? {} : { icon_emoji: config.icon_emoji }),
        };
        const response = await context.fetch(
          new Request(config.webhook_url, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": context.idempotencyKey },
            body: JSON.stringify(payload),
          }),
        );
        await response.body?.cancel();
        if (response.status < 200 || response.status > 299)
          throw httpStatusError(response, LABEL, Date.now());
        return { status: response.status };
      },
    }),
  }),
});

/** The incoming-webhook JSON of a notification (exported for the docs' example and the tests). */
export function slackMessage(notification: Notification): { text: string; blocks?: unknown[] } {
  const { title, message, details } = notification;
  const text = title === undefined ? message : `${title}: ${message}`;
  if (title === undefined && details === undefined) return { text };
  const blocks: unknown[] = [];
  if (title !== undefined) {
    blocks.push({
      type: "header",
      text: { type: "plain_text", text: cut(title, HEADER_LIMIT), emoji: true },
    });
  }
  if (message !== "")
    blocks.push({ type: "section", text: { type: "mrkdwn", text: cut(message, SECTION_LIMIT) } });
  const fields = Object.entries(details ?? {})
    .slice(0, FIELD_LIMIT)
    .map(([name, value]) => ({
      type: "mrkdwn",
      text: cut(`*${name}*\n${typeof value === "string" ? value : JSON.stringify(value)}`, 2000),
    }));
  if (fields.length > 0) blocks.push({ type: "section", fields });
  return { text, blocks };
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
