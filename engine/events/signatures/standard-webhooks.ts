/**
 * @module
 * Standard Webhooks (https://www.standardwebhooks.com, spec in standard-webhooks/standard-webhooks):
 * headers `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`, a
 * space-separated list of `v1,<base64 HMAC-SHA256>` (several while a secret rotates; other
 * versions such as the asymmetric `v1a` are skipped). The signed content is
 * `${id}.${timestamp}.${body}` over the raw body bytes; secrets are `whsec_` + base64 of the key
 * (the prefix is optional, as in the reference libraries). Timestamps more than the tolerance
 * away from `now` in either direction are refused.
 */

import { timingSafeEqual } from "../../crypto/constant-time.ts";
import { bodyBytes, concatBytes, fromBase64, toBase64, utf8 } from "./byte-encoding.ts";
import { hmacSha256 } from "./hmac.ts";
import { checkTimestamp, parseUnixSeconds } from "./timestamp-window.ts";
import { rejected, type SchemeVerifyInput, type WebhookVerification } from "./verification-result.ts";
import { MAX_HEADER_LENGTH, readHeader } from "./webhook-headers.ts";

const SECRET_PREFIX = "whsec_";
/** Printable ASCII without spaces: ids are opaque tokens such as `msg_2ZZ…`. */
const ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
/** Entries considered in `webhook-signature`; a rotation needs two or three. */
const MAX_SIGNATURES = 32;

/** The HMAC key of a `whsec_…` secret, or undefined when it is not non-empty base64. */
export function decodeStandardSecret(secret: string): Uint8Array<ArrayBuffer> | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = fromBase64(encoded);
  return key !== undefined && key.length > 0 ? new Uint8Array(key) : undefined;
}

/** One `v1,<base64>` signature entry for `body`, as a sender writes it. Throws on an unusable secret. */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: Uint8Array | string,
): Promise<string> {
  const key = decodeStandardSecret(secret);
  if (key === undefined) throw new TypeError("a Standard Webhooks secret is whsec_ followed by base64");
  const mac = await hmacSha256(key, signedContent(id, String(timestampSeconds), bodyBytes(body)));
  return `v1,${toBase64(mac)}`;
}

export async function verifyStandardWebhook(input: SchemeVerifyInput): Promise<WebhookVerification> {
  const id = readHeader(input.headers, "webhook-id");
  const timestampText = readHeader(input.headers, "webhook-timestamp");
  const signatureHeader = readHeader(input.headers, "webhook-signature");
  if (signatureHeader === undefined) {
    return rejected(
      "webhook.missing_signature",
      "the webhook-signature header is missing (Standard Webhooks)",
    );
  }
  if (id === undefined || timestampText === undefined) {
    const missing = id === undefined ? "webhook-id" : "webhook-timestamp";
    return rejected("webhook.missing_signature", `the ${missing} header is missing (Standard Webhooks)`);
  }
  if (!ID_PATTERN.test(id)) {
    return rejected(
      "webhook.malformed_header",
      "webhook-id must be 1-256 printable characters without spaces",
    );
  }
  const seconds = parseUnixSeconds(timestampText);
  if (seconds === undefined) {
    return rejected("webhook.malformed_header", "webhook-timestamp must be unix seconds (digits only)");
  }
  const candidates = parseSignatures(signatureHeader);
  if (typeof candidates === "string") return rejected("webhook.malformed_header", candidates);

  const content = signedContent(id, timestampText, input.body);
  for (const [index, secret] of input.secrets.entries()) {
    const key = decodeStandardSecret(secret);
    // An unusable secret (not base64) matches nothing, with the same answer as a wrong one: a
    // sender who can edit the literal part of `whsec_{{ env.NAME }}` must not learn from the
    // answer whether the resolved text decodes.
    if (key === undefined) continue;
    const expected = await hmacSha256(key, content, `standard:${secret}`);
    if (!candidates.some((candidate) => timingSafeEqual(candidate, expected))) continue;
    const stale = checkTimestamp(seconds, input.now, input.toleranceSeconds);
    if (stale !== undefined) return stale;
    return {
      ok: true,
      scheme: "standard",
      deliveryId: id,
      timestamp: seconds * 1000,
      dedupKey: `standard:${id}`,
      secretIndex: index,
    };
  }
  if (input.secrets.length === 0) {
    return rejected("webhook.bad_secret", "no Standard Webhooks secret is configured");
  }
  return rejected(
    "webhook.bad_signature",
    "no v1 signature in webhook-signature matches the body: wrong secret, or the body changed (sign the raw bytes)",
  );
}

function signedContent(id: string, timestampText: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(utf8(`${id}.${timestampText}.`), body);
}

/**
 * The decoded `v1` signatures (entries that do not decode simply match nothing), or a message
 * saying why the header cannot be read. Repeated headers arrive joined by ", ", so one trailing
 * comma after a signature is dropped.
 */
function parseSignatures(header: string): Uint8Array[] | string {
  if (header.length > MAX_HEADER_LENGTH)
    return `webhook-signature is longer than ${MAX_HEADER_LENGTH} characters`;
  const entries = header.split(/\s+/);
  if (entries.length > MAX_SIGNATURES) return `webhook-signature has more than ${MAX_SIGNATURES} entries`;
  const signatures: Uint8Array[] = [];
  let versioned = 0;
  let v1 = 0;
  for (const raw of entries) {
    const comma = raw.indexOf(",");
    if (comma <= 0) continue;
    versioned++;
    if (raw.slice(0, comma) !== "v1") continue;
    v1++;
    const value = raw.slice(comma + 1);
    const bytes = fromBase64(value.endsWith(",") ? value.slice(0, -1) : value);
    if (bytes !== undefined) signatures.push(bytes);
  }
  if (versioned === 0) return "webhook-signature must be space-separated 'v1,<base64>' entries";
  if (v1 === 0) return "webhook-signature has no 'v1,<base64>' entry (only HMAC-SHA256 v1 is supported)";
  return signatures;
}
