/**
 * @module
 * GitHub webhooks (docs.github.com, "Validating webhook deliveries"): `X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the secret's UTF-8 bytes. GitHub signs
 * no timestamp and not the `X-GitHub-Delivery` id, so replays are caught only by the runtime's
 * dedup window, keyed here on the signature itself (identical bodies give identical keys).
 * The legacy SHA-1 `X-Hub-Signature` header is not accepted.
 */

import { timingSafeEqual } from "../../crypto/constant-time.ts";
import { bodyBytes, fromHex, toHex, utf8 } from "./byte-encoding.ts";
import { hmacSha256 } from "./hmac.ts";
import { rejected, type SchemeVerifyInput, type WebhookVerification } from "./verification-result.ts";
import { readHeader } from "./webhook-headers.ts";

const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;
const DELIVERY_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** The `X-Hub-Signature-256` value for `body`. */
export async function signGithubWebhook(secret: string, body: Uint8Array | string): Promise<string> {
  if (secret === "") throw new TypeError("a GitHub webhook secret must not be empty");
  return `sha256=${toHex(await hmacSha256(utf8(secret), bodyBytes(body)))}`;
}

export async function verifyGithubWebhook(input: SchemeVerifyInput): Promise<WebhookVerification> {
  const header = readHeader(input.headers, "x-hub-signature-256");
  if (header === undefined) {
    const legacy = readHeader(input.headers, "x-hub-signature") !== undefined;
    return rejected(
      "webhook.missing_signature",
      legacy
        ? "only the SHA-1 X-Hub-Signature header was sent; X-Hub-Signature-256 is required"
        : "the X-Hub-Signature-256 header is missing (GitHub)",
    );
  }
  const match = SIGNATURE_PATTERN.exec(header);
  const signature = match === null ? undefined : fromHex(match[1] as string);
  if (signature === undefined) {
    return rejected(
      "webhook.malformed_header",
      "X-Hub-Signature-256 must be sha256= followed by 64 hex digits",
    );
  }
  let usableSecrets = 0;
  for (const [index, secret] of input.secrets.entries()) {
    usableSecrets++;
    const expected = await hmacSha256(utf8(secret), input.body, `github:${secret}`);
    if (!timingSafeEqual(signature, expected)) continue;
    const delivery = readHeader(input.headers, "x-github-delivery");
    return {
      ok: true,
      scheme: "github",
      deliveryId: delivery !== undefined && DELIVERY_PATTERN.test(delivery) ? delivery : undefined,
      timestamp: undefined,
      dedupKey: `github:${toHex(signature)}`,
      secretIndex: index,
    };
  }
  if (usableSecrets === 0) return rejected("webhook.bad_secret", "no GitHub webhook secret is configured");
  return rejected(
    "webhook.bad_signature",
    "X-Hub-Signature-256 does not match the body: wrong secret, or the body changed (sign the raw bytes)",
  );
}
