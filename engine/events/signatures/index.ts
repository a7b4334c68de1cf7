/**
 * @module
 * Webhook signatures: `verifyWebhook` checks a delivery against the configured secrets (the
 * current one and any being rotated out) under one of three schemes, in constant time, and
 * never throws; `signWebhook` produces the headers a sender would send (tests, benchmarks, and
 * edgeflow's own outgoing notifications). Pure apart from WebCrypto: no I/O, no clock (`now`
 * comes in). Replay protection beyond the timestamp window (the dedup window on `dedupKey`) is
 * the runtime's job: see docs/events.md.
 */
import { bodyBytes } from "./byte-encoding.ts";
import { signGithubWebhook, verifyGithubWebhook } from "./github.ts";
import { signStandardWebhook, verifyStandardWebhook } from "./standard-webhooks.ts";
import { signStripeWebhook, verifyStripeWebhook } from "./stripe.ts";
import { DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS } from "./timestamp-window.ts";
import {
  isWebhookScheme,
  rejected,
  type SchemeVerifyInput,
  WEBHOOK_SCHEMES,
  type WebhookScheme,
  type WebhookVerification,
} from "./verification-result.ts";
import type { HeaderSource } from "./webhook-headers.ts";

export { timingSafeEqual } from "../../crypto/constant-time.ts";
export { signGithubWebhook } from "./github.ts";
export { decodeStandardSecret, signStandardWebhook } from "./standard-webhooks.ts";
export { signStripeWebhook } from "./stripe.ts";
export {
  DEDUP_WINDOW_SECONDS,
  DEFAULT_TOLERANCE_SECONDS,
  MAX_TOLERANCE_SECONDS,
} from "./timestamp-window.ts";
export {
  isWebhookScheme,
  WEBHOOK_ERROR_CODES,
  WEBHOOK_SCHEMES,
  type WebhookErrorCode,
  type WebhookRejected,
  type WebhookScheme,
  type WebhookVerification,
  type WebhookVerified,
} from "./verification-result.ts";
export type { HeaderSource } from "./webhook-headers.ts";

export interface VerifyWebhookOptions {
  /** `standard`, `github` or `stripe`; anything else is `webhook.unknown_scheme` */
  scheme: string;
  /** the current secret first, then secrets being rotated out; empty strings are ignored */
  secrets: readonly string[];
  headers: HeaderSource;
  /** the raw body exactly as received (strings are taken as UTF-8) */
  body: Uint8Array | string;
  /** ms since the epoch */
  now: number;
  /** accepted distance of a signed timestamp from `now`, both ways; default 300 s, at most 1 day */
  toleranceSeconds?: number;
}

/** Verifies a delivery. Never throws: every failure is `{ok: false, code, message}`. */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookVerification> {
  try {
    const { scheme } = options;
    if (!isWebhookScheme(scheme)) {
      return rejected(
        "webhook.unknown_scheme",
        `unknown signature scheme '${String(scheme).slice(0, 40)}'; use one of ${WEBHOOK_SCHEMES.join(", ")}`,
      );
    }
    const tolerance = options.toleranceSeconds;
    const input: SchemeVerifyInput = {
      secrets: Array.isArray(options.secrets)
        ? options.secrets.filter((secret): secret is string => typeof secret === "string" && secret !== "")
        : [],
      headers: options.headers ?? {},
      body: bodyBytes(options.body ?? ""),
      now: options.now,
      toleranceSeconds:
        typeof tolerance === "number" && Number.isFinite(tolerance) && tolerance >= 0
          ? Math.min(tolerance, MAX_TOLERANCE_SECONDS)
          : DEFAULT_TOLERANCE_SECONDS,
    };
    switch (scheme) {
      case "standard":
        return await verifyStandardWebhook(input);
      case "github":
        return await verifyGithubWebhook(input);
      case "stripe":
        return await verifyStripeWebhook(input);
    }
  } catch {
    return rejected("webhook.bad_signature", "the delivery could not be verified");
  }
}

export interface SignWebhookOptions {
  scheme: WebhookScheme;
  /** one secret, or several (Standard Webhooks and Stripe then carry one signature per secret) */
  secret: string | readonly string[];
  body: Uint8Array | string;
  /** ms since the epoch; the signed timestamp is its whole seconds */
  now: number;
  /** `webhook-id` (Standard Webhooks) or `X-GitHub-Delivery` (GitHub); a random UUID by default */
  id?: string;
}

/**
 * The headers a sender attaches to `body`. Throws `TypeError` on an unusable secret (a sender's
 * configuration error, unlike verification, which never throws).
 */
export async function signWebhook(options: SignWebhookOptions): Promise<Record<string, string>> {
  const secrets = typeof options.secret === "string" ? [options.secret] : [...options.secret];
  if (secrets.length === 0) throw new TypeError("signWebhook needs at least one secret");
  const seconds = Math.floor(options.now / 1000);
  const body = bodyBytes(options.body);
  switch (options.scheme) {
    case "standard": {
      const id = options.id ?? `msg_${crypto.randomUUID()}`;
      const signatures = await Promise.all(
        secrets.map((secret) => signStandardWebhook(secret, id, seconds, body)),
      );
      return {
        "webhook-id": id,
        "webhook-timestamp": String(seconds),
        "webhook-signature": signatures.join(" "),
      };
    }
    case "github":
      return {
        "x-hub-signature-256": await signGithubWebhook(secrets[0] as string, body),
        "x-github-delivery": options.id ?? crypto.randomUUID(),
      };
    case "stripe":
      return { "stripe-signature": await signStripeWebhook(secrets, seconds, body) };
  }
}
