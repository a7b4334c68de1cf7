/**
 * @module
 * Stripe webhooks (docs.stripe.com, "Verify webhook signatures"): `Stripe-Signature:
 * t=<unix seconds>,v1=<hex>,v1=<hex>…` where each `v1` is the hex HMAC-SHA256 of
 * `${t}.${body}` keyed with the whole secret text (`whsec_…` as UTF-8, not base64-decoded).
 * Several `v1` entries appear while a secret is rolled; `v0` and unknown entries are skipped.
 * The timestamp must be within the tolerance of `now` in both directions (Stripe's own
 * libraries only refuse old ones). The delivery id is the event id in the body (`evt_…`).
 */

import { timingSafeEqual } from "../../crypto/constant-time.ts";
import { bodyBytes, concatBytes, fromHex, toHex, utf8 } from "./byte-encoding.ts";
import { hmacSha256 } from "./hmac.ts";
import { checkTimestamp, parseUnixSeconds } from "./timestamp-window.ts";
import { rejected, type SchemeVerifyInput, type WebhookVerification } from "./verification-result.ts";
import { MAX_HEADER_LENGTH, readHeader } from "./webhook-headers.ts";

const MAX_ENTRIES = 32;
const V1_PATTERN = /^[0-9a-fA-F]{64}$/;
const EVENT_ID_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The `Stripe-Signature` value for `body` signed at `timestampSeconds` with each secret. */
export async function signStripeWebhook(
  secrets: string | readonly string[],
  timestampSeconds: number,
  body: Uint8Array | string,
): Promise<string> {
  const content = signedContent(String(timestampSeconds), bodyBytes(body));
  const entries = [`t=${timestampSeconds}`];
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    if (secret === "") throw new TypeError("a Stripe webhook secret must not be empty");
    entries.push(`v1=${toHex(await hmacSha256(utf8(secret), content))}`);
  }
  return entries.join(",");
}

export async function verifyStripeWebhook(input: SchemeVerifyInput): Promise<WebhookVerification> {
  const header = readHeader(input.headers, "stripe-signature");
  if (header === undefined)
    return rejected("webhook.missing_signature", "the Stripe-Signature header is missing");
  const parsed = parseHeader(header);
  if (typeof parsed === "string") return rejected("webhook.malformed_header", parsed);

  const content = signedContent(parsed.timestampText, input.body);
  let usableSecrets = 0;
  for (const [index, secret] of input.secrets.entries()) {
    usableSecrets++;
    const expected = await hmacSha256(utf8(secret), content, `stripe:${secret}`);
    const matched = parsed.signatures.find((candidate) => timingSafeEqual(candidate, expected));
    if (matched === undefined) continue;
    const stale = checkTimestamp(parsed.seconds, input.now, input.toleranceSeconds);
    if (stale !== undefined) return stale;
    const eventId = eventIdOf(input.body);
    return {
      ok: true,
      scheme: "stripe",
      deliveryId: eventId,
      timestamp: parsed.seconds * 1000,
      dedupKey:
        eventId !== undefined ? `stripe:${eventId}` : `stripe:${parsed.timestampText}:${toHex(matched)}`,
      secretIndex: index,
    };
  }
  if (usableSecrets === 0) return rejected("webhook.bad_secret", "no Stripe webhook secret is configured");
  return rejected(
    "webhook.bad_signature",
    "no v1 signature in Stripe-Signature matches the body: wrong secret, or the body changed (sign the raw bytes)",
  );
}

interface StripeHeader {
  timestampText: string;
  seconds: number;
  signatures: Uint8Array[];
}

function parseHeader(header: string): StripeHeader | string {
  if (header.length > MAX_HEADER_LENGTH)
    return `Stripe-Signature is longer than ${MAX_HEADER_LENGTH} characters`;
  const entries = header.split(",");
  if (entries.length > MAX_ENTRIES) return `Stripe-Signature has more than ${MAX_ENTRIES} entries`;
  let timestampText: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    if (equals <= 0) return "Stripe-Signature must be comma-separated key=value entries (t=…,v1=…)";
    const key = entry.slice(0, equals).trim();
    const value = entry.slice(equals + 1).trim();
    if (key === "t") {
      if (timestampText !== undefined) return "Stripe-Signature has more than one t= entry";
      timestampText = value;
    } else if (key === "v1") {
      if (!V1_PATTERN.test(value)) return "each v1= entry of Stripe-Signature must be 64 hex digits";
      signatures.push(fromHex(value) as Uint8Array);
    }
  }
  if (timestampText === undefined) return "Stripe-Signature has no t= timestamp";
  const seconds = parseUnixSeconds(timestampText);
  if (seconds === undefined) return "the t= entry of Stripe-Signature must be unix seconds (digits only)";
  if (signatures.length === 0) return "Stripe-Signature has no v1= signature";
  return { timestampText, seconds, signatures };
}

function signedContent(timestampText: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(utf8(`${timestampText}.`), body);
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** The `id` of a JSON object body (Stripe's `evt_…`), or undefined. */
function eventIdOf(body: Uint8Array): string | undefined {
  const text = decoder.decode(body);
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const id = (parsed as { id?: unknown }).id;
    return typeof id === "string" && EVENT_ID_PATTERN.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
