/**
 * @module
 * Verifying one webhook delivery against every subscription listening on its endpoint. Each
 * distinct (scheme, resolved secret) is checked once per delivery, however many subscriptions
 * or rotation lists name it, and at most `MAX_ENDPOINT_VERIFICATIONS` distinct checks run per
 * delivery (publish refuses more; this is the backstop for definitions stored before). The
 * subscriptions are then grouped by (scheme, resolved secrets, tolerance): a group is accepted
 * when one of its secrets verified and the signed timestamp is within the group's tolerance.
 * When no group is, the first group's rejection is the answer (a stable `webhook.*` code and a
 * message that names no secret). Secrets are resolved on the host from the tenant's decrypted
 * secrets at each delivery (`{{ env.NAME }}` substituted, never evaluated).
 */
import {
  MAX_TOLERANCE_SECONDS,
  resolveWebhookSecrets,
  type Subscription,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookRejected,
  type WebhookScheme,
  type WebhookVerification,
} from "../../engine/events/index.ts";
import {
  checkTimestamp,
  DEFAULT_TOLERANCE_SECONDS,
} from "../../engine/events/signatures/timestamp-window.ts";
import { MAX_ENDPOINT_VERIFICATIONS } from "../../engine/events/webhook-limits.ts";
import type { WebhookDelivery } from "./contracts.ts";

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

/** The signature check itself; a seam so tests can count how many a delivery costs. */
export type VerifySignature = (options: VerifyWebhookOptions) => Promise<WebhookVerification>;

interface Group {
  scheme: string;
  secrets: string[];
  toleranceSeconds: number;
  subscriptions: Subscription[];
}

const NOT_CHECKED: WebhookRejected = {
  ok: false,
  code: "webhook.bad_signature",
  message: "the delivery's signature does not match",
};

export async function verifyDelivery(
  delivery: WebhookDelivery,
  subscriptions: readonly Subscription[],
  env: Readonly<Record<string, string>>,
  verify: VerifySignature = verifyWebhook,
): Promise<DeliveryVerification> {
  const groups = groupSubscriptions(subscriptions, env);
  const checks = await checkDistinctSecrets(delivery, groups, verify);
  const accepted: Subscription[] = [];
  const dedupKeys: string[] = [];
  const verified: { scheme: WebhookScheme; secret_index: number }[] = [];
  let firstRejection: WebhookRejected | undefined;
  for (const group of groups) {
    const result = groupVerdict(group, checks, delivery.now);
    if (result.ok) {
      accepted.push(...group.subscriptions);
      if (!dedupKeys.includes(result.dedupKey)) dedupKeys.push(result.dedupKey);
      verified.push({ scheme: result.scheme, secret_index: result.secretIndex });
    } else firstRejection ??= result;
  }
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

function groupSubscriptions(
  subscriptions: readonly Subscription[],
  env: Readonly<Record<string, string>>,
): Group[] {
  const groups = new Map<string, Group>();
  for (const subscription of subscriptions) {
    const trigger = subscription.trigger;
    if (trigger?.type !== "webhook") continue;
    const scheme = trigger.signature ?? "standard";
    const secrets = resolveWebhookSecrets(trigger.secret, env);
    const toleranceSeconds = Math.min(
      trigger.tolerance_seconds ?? DEFAULT_TOLERANCE_SECONDS,
      MAX_TOLERANCE_SECONDS,
    );
    const key = JSON.stringify([scheme, secrets, toleranceSeconds]);
    const group = groups.get(key);
    if (group === undefined)
      groups.set(key, { scheme, secrets, toleranceSeconds, subscriptions: [subscription] });
    else group.subscriptions.push(subscription);
  }
  return [...groups.values()];
}

function checkKey(scheme: string, secret: string): string {
  return JSON.stringify([scheme, secret]);
}

/**
 * One signature check per distinct (scheme, secret), in the order subscriptions name them, at
 * most MAX_ENDPOINT_VERIFICATIONS. Each runs with the widest tolerance; a group's own tolerance
 * is applied to the signed timestamp afterwards.
 */
async function checkDistinctSecrets(
  delivery: WebhookDelivery,
  groups: readonly Group[],
  verify: VerifySignature,
): Promise<Map<string, WebhookVerification>> {
  const pairs = new Map<string, { scheme: string; secret: string }>();
  for (const group of groups) {
    for (const secret of group.secrets) {
      if (pairs.size >= MAX_ENDPOINT_VERIFICATIONS) break;
      pairs.set(checkKey(group.scheme, secret), { scheme: group.scheme, secret });
    }
  }
  const entries = [...pairs.entries()];
  const results = await Promise.all(
    entries.map(([, pair]) =>
      verify({
        scheme: pair.scheme,
        secrets: [pair.secret],
        headers: delivery.headers,
        body: delivery.body,
        now: delivery.now,
        toleranceSeconds: MAX_TOLERANCE_SECONDS,
      }),
    ),
  );
  return new Map(entries.map(([key], index) => [key, results[index] as WebhookVerification]));
}

function groupVerdict(
  group: Group,
  checks: ReadonlyMap<string, WebhookVerification>,
  now: number,
): WebhookVerification {
  if (group.secrets.length === 0) {
    return {
      ok: false,
      code: "webhook.bad_secret",
      message: "no webhook secret is configured for this endpoint",
    };
  }
  let firstRejection: WebhookRejected | undefined;
  for (const [index, secret] of group.secrets.entries()) {
    const result = checks.get(checkKey(group.scheme, secret)) ?? NOT_CHECKED;
    if (!result.ok) {
      firstRejection ??= result;
      continue;
    }
    if (result.timestamp !== undefined) {
      const outside = checkTimestamp(result.timestamp / 1000, now, group.toleranceSeconds);
      if (outside !== undefined) return outside;
    }
    return { ...result, secretIndex: index };
  }
  return firstRejection ?? NOT_CHECKED;
}
