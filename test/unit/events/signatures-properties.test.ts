/**
 * Property tests for webhook verification: it never throws on arbitrary headers and bodies,
 * signing then verifying round-trips for any body and secret, and changing any single byte of
 * the body (or any character of the signature) makes verification fail.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, type WebhookScheme } from "../../../engine/events/signatures/index.ts";

const schemes = fc.constantFrom<WebhookScheme>("standard", "github", "stripe");
const headerNames = fc.constantFrom(
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "x-hub-signature-256",
  "x-github-delivery",
  "stripe-signature",
  "content-type",
);
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^(v1,|t=|sha256=)[A-Za-z0-9+/=,. ]{0,80}$/),
  fc.array(fc.string(), { maxLength: 3 }),
);
const bodies = fc.uint8Array({ maxLength: 512 });
/** Byte strings that are valid secrets in every scheme: Standard Webhooks wants base64 of them. */
const secretBytes = fc.uint8Array({ minLength: 1, maxLength: 64 });
const times = fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 });

function secretFor(scheme: WebhookScheme, bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString("base64");
  return scheme === "standard" ? `whsec_${encoded}` : `s_${encoded}`;
}

describe("verifyWebhook properties", () => {
  it("never throws and always answers ok or a known code, whatever the headers and body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(schemes, fc.string()),
        fc.dictionary(headerNames, headerValue),
        fc.oneof(bodies, fc.string()),
        fc.array(fc.string(), { maxLength: 3 }),
        times,
        async (scheme, headers, body, secrets, now) => {
          const result = await verifyWebhook({ scheme, secrets, headers, body, now });
          if (!result.ok) expect(result.code).toMatch(/^webhook\.[a-z_]+$/);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("round-trips: what signWebhook signs, verifyWebhook accepts at the same time", async () => {
    await fc.assert(
      fc.asyncProperty(schemes, secretBytes, bodies, times, async (scheme, bytes, body, now) => {
        const secret = secretFor(scheme, bytes);
        const headers = await signWebhook({ scheme, secret, body, now, id: "msg_1" });
        const result = await verifyWebhook({ scheme, secrets: [secret], headers, body, now });
        expect(result.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("fails when any single byte of the body changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        schemes,
        secretBytes,
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        times,
        async (scheme, bytes, body, position, delta, now) => {
          const secret = secretFor(scheme, bytes);
          const headers = await signWebhook({ scheme, secret, body, now, id: "msg_1" });
          const tampered = body.slice();
          const index = position % body.length;
          tampered[index] = (tampered[index]! + delta) % 256;
          const result = await verifyWebhook({ scheme, secrets: [secret], headers, body: tampered, now });
          expect(result).toMatchObject({ ok: false, code: "webhook.bad_signature" });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("fails when any character of the signature value changes", async () => {
    const signatureHeader: Record<WebhookScheme, string> = {
      standard: "webhook-signature",
      github: "x-hub-signature-256",
      stripe: "stripe-signature",
    };
    await fc.assert(
      fc.asyncProperty(
        schemes,
        secretBytes,
        bodies,
        fc.nat(),
        times,
        async (scheme, bytes, body, position, now) => {
          const secret = secretFor(scheme, bytes);
          const headers = await signWebhook({ scheme, secret, body, now, id: "msg_1" });
          const name = signatureHeader[scheme];
          const value = headers[name]!;
          const signatureStart = value.lastIndexOf(scheme === "standard" ? "," : "=") + 1;
          // The last base64 characters of a 32-byte MAC carry padding bits: change full characters only.
          const signatureEnd = scheme === "standard" ? value.length - 3 : value.length;
          const index = signatureStart + (position % (signatureEnd - signatureStart));
          const original = value[index]!;
          // Swap within the same alphabet so the header still parses; only the signature is wrong.
          const replacement = original === "a" ? "b" : original === "A" ? "B" : original === "0" ? "1" : "a";
          const changed = `${value.slice(0, index)}${replacement}${value.slice(index + 1)}`;
          const result = await verifyWebhook({
            scheme,
            secrets: [secret],
            headers: { ...headers, [name]: changed },
            body,
            now,
          });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
