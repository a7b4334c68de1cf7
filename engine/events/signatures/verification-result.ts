/**
 * @module
 * What webhook verification answers: the schemes it knows, the stable error codes it returns,
 * and the result shape. Verification never throws; every failure is one of these codes with a
 * message a sender's operator can act on (it never contains a secret or an expected signature).
 */
import type { HeaderSource } from "./webhook-headers.ts";

/** Standard Webhooks (`webhook-*` headers), GitHub (`X-Hub-Signature-256`), Stripe (`Stripe-Signature`). */
export const WEBHOOK_SCHEMES = ["standard", "github", "stripe"] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

export const WEBHOOK_ERROR_CODES = [
  /** a header the scheme needs is absent or empty */
  "webhook.missing_signature",
  /** no signature in the header matches the body under any configured secret */
  "webhook.bad_signature",
  /** the signed timestamp is older than the tolerance */
  "webhook.stale_timestamp",
  /** the signed timestamp is further in the future than the tolerance */
  "webhook.future_timestamp",
  /** a header is present but cannot be parsed (bad prefix, bad encoding, too long) */
  "webhook.malformed_header",
  /** the scheme is not one of WEBHOOK_SCHEMES */
  "webhook.unknown_scheme",
  /** no configured secret is usable for the scheme (none given, or none decodes): a tenant configuration error */
  "webhook.bad_secret",
] as const;
export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[number];

export interface WebhookVerified {
  ok: true;
  scheme: WebhookScheme;
  /**
   * The sender's id for this delivery, stable across its retries: `webhook-id` (Standard
   * Webhooks, signed), `X-GitHub-Delivery` (GitHub, not signed), the body's `id` (Stripe's
   * `evt_…`, signed as part of the body). Undefined when the delivery carries none.
   */
  deliveryId: string | undefined;
  /** The signed timestamp in ms since the epoch; undefined for GitHub, which signs none. */
  timestamp: number | undefined;
  /**
   * The key the runtime dedups on (scoped by tenant and endpoint): derived only from signed
   * data, so a replay cannot change it. `standard:<webhook-id>`, `github:<sha256 hex of the
   * signature>` (GitHub's delivery id is not signed), `stripe:<event id>` or, for a body
   * without one, `stripe:<t>:<signature>`.
   */
  dedupKey: string;
  /** Which of the configured secrets matched: 0 is the current one, higher ones are rotated out. */
  secretIndex: number;
}

export interface WebhookRejected {
  ok: false;
  code: WebhookErrorCode;
  message: string;
}

export type WebhookVerification = WebhookVerified | WebhookRejected;

export function rejected(code: WebhookErrorCode, message: string): WebhookRejected {
  return { ok: false, code, message };
}

export function isWebhookScheme(value: unknown): value is WebhookScheme {
  return typeof value === "string" && (WEBHOOK_SCHEMES as readonly string[]).includes(value);
}

/** What each scheme's verifier receives, already normalised by `verifyWebhook`. */
export interface SchemeVerifyInput {
  /** non-empty strings: the current secret first, then rotated ones */
  secrets: readonly string[];
  headers: HeaderSource;
  body: Uint8Array<ArrayBuffer>;
  /** ms since the epoch */
  now: number;
  toleranceSeconds: number;
}
