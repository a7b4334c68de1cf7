/**
 * @module
 * `email@1.0.0`: a notification sent through Cloudflare's `send_email` binding (`EMAIL` in
 * wrangler.toml). The subject is the title (or `config.subject`), the text body the message and
 * then the details as `name: value` lines. Deployed, the sender must be on a domain with Email
 * Routing or Email Service and the recipients verified (or allowed by the binding). Locally
 * (`wrangler dev`, the vitest pool) miniflare simulates the binding: it checks the binding's
 * allow-lists, stores the message and logs it, answers a message id, and delivers nothing.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { definePlugin } from "../define-plugin.ts";
import { NOTIFY_METHOD, type Notification, notificationSchema } from "../notify/notification.ts";

const LABEL = "email@1";
const MAX_RECIPIENTS = 50;

export const emailConfigSchema = z.strictObject({
  from: z.email().describe("The sender (a domain set up for Cloudflare email)"),
  from_name: z.string().max(100).optional(),
  to: z
    .union([z.email(), z.array(z.email()).min(1).max(MAX_RECIPIENTS)])
    .describe("One recipient or a list (verified destinations when deployed)"),
  subject: z
    .string()
    .max(250)
    .default("edgeflow notification")
    .describe("Used when a notification has no title"),
});

export const emailPlugin = definePlugin({
  name: "email",
  version: "1.0.0",
  description: "Sends a notification by email through the send_email binding (EMAIL)",
  roles: ["notify"],
  config: emailConfigSchema,
  capabilities: { http: false, sockets: false, bindings: ["EMAIL"], secretFields: [] },
  methods: (method) => ({
    [NOTIFY_METHOD]: method({
      description: "Sends one email",
      params: notificationSchema,
      result: z.strictObject({ message_id: z.string() }),
      run: async (notification, config, context) => {
        const email = context.bindings.email;
        if (email === undefined)
          throw new EngineError("external.failed", `${LABEL}: the EMAIL binding is not configured`);
        try {
          const sent = await email.send({
            from:
              config.from_name === undefined ? config.from : { name: config.from_name, email: config.from },
            to: config.to,
            subject: notification.title ?? config.subject,
            text: emailText(notification),
            headers: { "X-Edgeflow-Idempotency-Key": context.idempotencyKey },
          });
          return { message_id: sent.messageId };
        } catch (error) {
          if (error instanceof EngineError) throw error;
          // The binding's refusals ("email to x not allowed") name addresses from the configuration only.
          throw new EngineError(
            "external.failed",
            `${LABEL}: ${String(error instanceof Error ? error.message : error).slice(0, 200)}`,
            {
              cause: error,
            },
          );
        }
      },
    }),
  }),
});

/** The plain-text body: the message, then one `name: value` line per detail. */
export function emailText(notification: Notification): string {
  const lines = Object.entries(notification.details ?? {}).map(
    ([name, value]) => `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`,
  );
  return lines.length === 0 ? notification.message : `${notification.message}\n\n${lines.join("\n")}`;
}
