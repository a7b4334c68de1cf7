/**
 * @module
 * Verifying one webhook delivery against every subscription listening on its endpoint. The
 * subscriptions are grouped by (scheme, resolved secrets, tolerance) so each distinct check runs
 * once; the delivery is accepted for the subscriptions of the groups that verified. When none
 * did, the first group's rejection is the answer (a stable `webhook.*` code and a message that
 * names no secret). Secrets are resolved on the host from the tenant's decrypted secrets at each
 * delivery (`{{ env.NAME }}` substituted, never evaluated).
 */
import {
  resolveWebhookSecrets,
  type Subscription,
  verifyWebhook,
  type WebhookRejected,
  type WebhookScheme,
} from "../../engine/events/index.ts";

export interface WebhookDelivery {
  /** the path after `/hooks/<tenant>` */
  endpoint: string;
  /** request headers, lowercased names */
  headers: Record<string, string>;
  /** the raw body, exactly as received */
  body: Uint8Array;
  contentType?: string;
  /** when the route received it (ms) */
  now: number;
}

export type DeliveryVerification =
  | {
      ok: true;
      subscriptions: Subscription[];
      /** dedup keys of the groups that verified (usually one) */
      dedupKeys: string[];
      /** which scheme and which secret (0 = current, higher = rotated out) verified, per group */
      verified: { scheme: WebhookScheme; secret_index: number }[];
    }
  | { ok: false; rejection: WebhookRejected };

interface Group {
  scheme: string;
  secrets: string[];
  toleranceSeconds: number | undefined;
  subscriptions: Subscription[];
}

export async function verifyDelivery(
  delivery: WebhookDelivery,
  subscriptions: readonly Subscription[],
  env: Readonly<Record<string, string>>,
): Promise<DeliveryVerification> {
  const groups = new Map<string, Group>();
  for (const subscription of subscriptions) {
    const trigger = subscription.trigger;
    if (trigger?.type !== "webhook") continue;
    const scheme = trigger.signature ?? "standard";
    const secrets = resolveWebhookSecrets(trigger.secret, env);
    const key = JSON.stringify([scheme, secrets, trigger.tolerance_seconds ?? null]);
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, {
        scheme,
        secrets,
        toleranceSeconds: trigger.tolerance_seconds,
        subscriptions: [subscription],
      });
    } else group.subscriptions.push(subscription);
  }
  const checks = [...groups.values()];
  const results = await Promise.all(
    checks.map((group) =>
      verifyWebhook({
        scheme: group.scheme,
        secrets: group.secrets,
        headers: delivery.headers,
        body: delivery.body,
        now: delivery.now,
        ...(group.toleranceSeconds === undefined ? {} : { toleranceSeconds: group.toleranceSeconds }),
      }),
    ),
  );
  const accepted: Subscription[] = [];
  const dedupKeys: string[] = [];
  const verified: { scheme: WebhookScheme; secret_index: number }[] = [];
  let firstRejection: WebhookRejected | undefined;
  results.forEach((result, index) => {
    if (result.ok) {
      accepted.push(...(checks[index] as Group).subscriptions);
      if (!dedupKeys.includes(result.dedupKey)) dedupKeys.push(result.dedupKey);
      verified.push({ scheme: result.scheme, secret_index: result.secretIndex });
    } else firstRejection ??= result;
  });
  if (accepted.length > 0) return { ok: true, subscriptions: accepted, dedupKeys, verified };
  return {
    ok: false,
    rejection: firstRejection ?? {
      ok: false,
      code: "webhook.bad_secret",
      message: "no webhook trigger listens on this endpoint",
    },
  };
}
