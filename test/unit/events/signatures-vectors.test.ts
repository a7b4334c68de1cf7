/**
 * Official test vectors: the signatures edgeflow computes and accepts are byte-for-byte those
 * the senders' own documentation and reference libraries publish.
 */
import { describe, expect, it } from "vitest";
import {
  signGithubWebhook,
  signStandardWebhook,
  signStripeWebhook,
  verifyWebhook,
} from "../../../engine/events/signatures/index.ts";

describe("GitHub's published vector", () => {
  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
  // ("Testing the webhook payload validation").
  const secret = "It's a Secret to Everybody";
  const body = "Hello, World!";
  const header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  it("signs to the documented X-Hub-Signature-256", async () => {
    expect(await signGithubWebhook(secret, body)).toBe(header);
  });

  it("verifies the documented delivery, with its delivery id", async () => {
    const result = await verifyWebhook({
      scheme: "github",
      secrets: [secret],
      headers: { "X-Hub-Signature-256": header, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
      body,
      now: 0,
    });
    expect(result).toEqual({
      ok: true,
      scheme: "github",
      deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      timestamp: undefined,
      dedupKey: "github:757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
      secretIndex: 0,
    });
  });

  it("accepts the hex digest in upper case too", async () => {
    const result = await verifyWebhook({
      scheme: "github",
      secrets: [secret],
      headers: { "x-hub-signature-256": `sha256=${header.slice(7).toUpperCase()}` },
      body,
      now: 0,
    });
    expect(result.ok).toBe(true);
  });
});

describe("Standard Webhooks' reference vector", () => {
  // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, test
  // "sign function works" (the same values appear in the other reference libraries' tests).
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';
  const signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  it("signs to the reference signature", async () => {
    expect(await signStandardWebhook(secret, id, timestamp, body)).toBe(signature);
  });

  it("signs the same without the whsec_ prefix", async () => {
    expect(await signStandardWebhook(secret.slice(6), id, timestamp, body)).toBe(signature);
  });

  it("verifies the reference delivery at its own time", async () => {
    const result = await verifyWebhook({
      scheme: "standard",
      secrets: [secret],
      headers: { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature },
      body,
      now: timestamp * 1000,
    });
    expect(result).toEqual({
      ok: true,
      scheme: "standard",
      deliveryId: id,
      timestamp: timestamp * 1000,
      dedupKey: `standard:${id}`,
      secretIndex: 0,
    });
  });

  it("finds the valid entry among unknown versions and wrong v1 entries (the library's multi-signature case)", async () => {
    const header = [
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      signature,
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    ].join(" ");
    const result = await verifyWebhook({
      scheme: "standard",
      secrets: [secret],
      headers: { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": header },
      body,
      now: timestamp * 1000 + 60_000,
    });
    expect(result.ok).toBe(true);
  });
});

describe("Stripe", () => {
  // Stripe publishes no fixed vector; this pins the documented construction
  // (https://docs.stripe.com/webhooks#verify-manually): hex HMAC-SHA256 of `${t}.${body}` keyed
  // with the whole secret text. The expected value was computed independently with
  // `printf '%s' '1492774577.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test_secret`.
  it("signs `t.body` with the secret text as the key", async () => {
    const header = await signStripeWebhook("whsec_test_secret", 1492774577, '{"id":"evt_1"}');
    expect(header).toBe(`t=1492774577,v1=${STRIPE_EXPECTED}`);
  });
});

const STRIPE_EXPECTED = "799c4ba7bb339f3c8601adfd112f0e477c930a268be1243d341abb8286501c2f";
