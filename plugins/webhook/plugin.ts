/**
 * @module
 * `webhook@1.0.0`: a notification POSTed as JSON to `config.url`, signed the Standard Webhooks
 * way (https://www.standardwebhooks.com) with `config.secret` (`whsec_<base64>`, a secret field):
 * `webhook-id` (derived from the call's idempotency key, so every retry of one notification has
 * the same id and a receiver deduplicates on it), `webhook-timestamp` (unix seconds of this
 * attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), signed by the
 * repository's own engine/events/signatures. The body is `{type, timestamp, data}`.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { toHex, utf8 } from "../../engine/events/signatures/byte-encoding.ts";
import { decodeStandardSecret, signStandardWebhook } from "../../engine/events/signatures/index.ts";
import { definePlugin } from "../define-plugin.ts";
import { NOTIFY_METHOD, notificationSchema } from "../notify/notification.ts";
import { httpStatusError } from "../outbound/http-status-error.ts";

const LABEL = "webhook@1";
const ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

export const webhookConfigSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("Where notifications are POSTed"),
  secret: z.string().min(1).max(1024).describe("whsec_<base64>, the signing secret; a secret field"),
  event_type: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/)
    .default("edgeflow.notification")
    .describe("The body's `type`"),
});

export const webhookPlugin = definePlugin({
  name: "webhook",
  version: "1.0.0",
  description: "POSTs a notification as JSON signed the Standard Webhooks way",
  roles: ["notify"],
  config: webhookConfigSchema,
  capabilities: { http: true, sockets: false, bindings: [], secretFields: ["secret"] },
  methods: (method) => ({
    [NOTIFY_METHOD]: method({
      description: "Sends one signed notification",
      params: notificationSchema,
      result: z.strictObject({ status: z.number().int(), webhook_id: z.string() }),
      run: async (notification, config, context) => {
        if (decodeStandardSecret(config.secret) === undefined) {
          throw new EngineError(
            "external.failed",
            `${LABEL}: config.secret is not whsec_ followed by base64`,
          );
        }
        const id = await webhookIdOf(context.idempotencyKey);
        const now = Date.now();
        const timestamp = Math.floor(now / 1000);
        const body = JSON.stringify({
          type: config.event_type,
          timestamp: new Date(now).toISOString(),
          data: notification,
        });
        const signature = await signStandardWebhook(config.secret, id, timestamp, body);
        const response = await context.fetch(
          new Request(config.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "webhook-id": id,
              "webhook-timestamp": String(timestamp),
              "webhook-signature": signature,
              "idempotency-key": id,
            },
            body,
          }),
        );
        await response.body?.cancel();
        if (response.status < 200 || response.status > 299) throw httpStatusError(response, LABEL, now);
        return { status: response.status, webhook_id: id };
      },
    }),
  }),
});

/** The idempotency key itself when it is a valid id, else `msg_` and its SHA-256 (hex). */
async function webhookIdOf(idempotencyKey: string): Promise<string> {
  if (ID_PATTERN.test(idempotencyKey)) return idempotencyKey;
  const digest = await crypto.subtle.digest("SHA-256", utf8(idempotencyKey));
  return `msg_${toHex(new Uint8Array(digest))}`;
}
