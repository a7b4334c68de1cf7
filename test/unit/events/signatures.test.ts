/**
 * Webhook verification, scheme by scheme: what is accepted (rotation, tolerance edges) and the
 * stable code for each way a delivery is refused.
 */
import { describe, expect, it } from "vitest";
import {
  DEDUP_WINDOW_SECONDS,
  MAX_TOLERANCE_SECONDS,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookScheme,
} from "../../../engine/events/signatures/index.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BODY = '{"ref":"refs/heads/main","id":"evt_123"}';
const SECRETS: Record<WebhookScheme, { current: string; old: string; other: string }> = {
  standard: {
    current: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    old: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    other: "whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==",
  },
  github: { current: "gh current secret", old: "gh old secret", other: "not the secret" },
  stripe: { current: "whsec_stripe_current", old: "whsec_stripe_old", other: "whsec_stripe_other" },
};

async function signed(scheme: WebhookScheme, overrides: { secret?: string | string[]; now?: number } = {}) {
  return signWebhook({
    scheme,
    secret: overrides.secret ?? SECRETS[scheme].current,
    body: BODY,
    now: overrides.now ?? NOW,
    id: "delivery-1",
  });
}

function verify(
  scheme: WebhookScheme,
  headers: Record<string, string>,
  extra: Partial<VerifyWebhookOptions> = {},
) {
  return verifyWebhook({
    scheme,
    secrets: [SECRETS[scheme].current],
    headers,
    body: BODY,
    now: NOW,
    ...extra,
  });
}

describe.each(["standard", "github", "stripe"] as const)("%s", (scheme) => {
  it("accepts what it signed, as a string or as bytes", async () => {
    const headers = await signed(scheme);
    expect((await verify(scheme, headers)).ok).toBe(true);
    expect((await verify(scheme, headers, { body: new TextEncoder().encode(BODY) })).ok).toBe(true);
  });

  it("reads header names case-insensitively, from a Fetch Headers object too", async () => {
    const headers = await signed(scheme);
    const upper = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect((await verify(scheme, upper)).ok).toBe(true);
    expect(
      (
        await verifyWebhook({
          scheme,
          secrets: [SECRETS[scheme].current],
          headers: new Headers(headers),
          body: BODY,
          now: NOW,
        })
      ).ok,
    ).toBe(true);
  });

  it("refuses a tampered body", async () => {
    const headers = await signed(scheme);
    const result = await verify(scheme, headers, { body: BODY.replace("main", "evil") });
    expect(result).toMatchObject({ ok: false, code: "webhook.bad_signature" });
  });

  it("refuses the wrong secret", async () => {
    const headers = await signed(scheme, { secret: SECRETS[scheme].other });
    expect(await verify(scheme, headers)).toMatchObject({ ok: false, code: "webhook.bad_signature" });
  });

  it("accepts both the new and the old secret during a rotation, and says which matched", async () => {
    const secrets = [SECRETS[scheme].current, SECRETS[scheme].old];
    const byNew = await verify(scheme, await signed(scheme, { secret: SECRETS[scheme].current }), {
      secrets,
    });
    const byOld = await verify(scheme, await signed(scheme, { secret: SECRETS[scheme].old }), { secrets });
    expect(byNew).toMatchObject({ ok: true, secretIndex: 0 });
    expect(byOld).toMatchObject({ ok: true, secretIndex: 1 });
    const afterRotation = await verify(scheme, await signed(scheme, { secret: SECRETS[scheme].old }));
    expect(afterRotation).toMatchObject({ ok: false, code: "webhook.bad_signature" });
  });

  it("refuses a delivery without its signature header", async () => {
    expect(await verify(scheme, {})).toMatchObject({ ok: false, code: "webhook.missing_signature" });
  });

  it("reports a configuration without a usable secret as webhook.bad_secret", async () => {
    const headers = await signed(scheme);
    expect(await verify(scheme, headers, { secrets: [] })).toMatchObject({
      ok: false,
      code: "webhook.bad_secret",
    });
    expect(await verify(scheme, headers, { secrets: [""] })).toMatchObject({
      ok: false,
      code: "webhook.bad_secret",
    });
  });

  it("never puts a secret or the expected signature in a message", async () => {
    const headers = await signed(scheme, { secret: SECRETS[scheme].other });
    const result = await verify(scheme, headers);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).not.toContain(SECRETS[scheme].current);
    const good = Object.values(await signed(scheme)).join(" ");
    for (const token of good.split(/[\s,=]+/).filter((part) => part.length >= 20)) {
      expect(result.message).not.toContain(token);
    }
  });
});

describe.each(["standard", "stripe"] as const)("%s timestamps", (scheme) => {
  it("accepts up to exactly 5 minutes of skew either way", async () => {
    expect((await verify(scheme, await signed(scheme, { now: NOW - 300_000 }))).ok).toBe(true);
    expect((await verify(scheme, await signed(scheme, { now: NOW + 300_000 }))).ok).toBe(true);
  });

  it("refuses a stale timestamp (a replay after the window)", async () => {
    const result = await verify(scheme, await signed(scheme, { now: NOW - 301_000 }));
    expect(result).toMatchObject({ ok: false, code: "webhook.stale_timestamp" });
  });

  it("refuses a timestamp from the future", async () => {
    const result = await verify(scheme, await signed(scheme, { now: NOW + 301_000 }));
    expect(result).toMatchObject({ ok: false, code: "webhook.future_timestamp" });
  });

  it("takes a custom tolerance", async () => {
    const headers = await signed(scheme, { now: NOW - 600_000 });
    expect((await verify(scheme, headers, { toleranceSeconds: 900 })).ok).toBe(true);
    expect(await verify(scheme, headers, { toleranceSeconds: 60 })).toMatchObject({
      code: "webhook.stale_timestamp",
    });
  });

  it("caps the tolerance at 1 day, below half the 4-day dedup window, whatever is configured", async () => {
    expect(2 * MAX_TOLERANCE_SECONDS).toBeLessThan(DEDUP_WINDOW_SECONDS);
    const twoDaysOld = await signed(scheme, { now: NOW - 2 * 86_400_000 });
    expect(await verify(scheme, twoDaysOld, { toleranceSeconds: 30 * 86_400 })).toMatchObject({
      code: "webhook.stale_timestamp",
    });
    const twoDaysAhead = await signed(scheme, { now: NOW + 2 * 86_400_000 });
    expect(await verify(scheme, twoDaysAhead, { toleranceSeconds: 30 * 86_400 })).toMatchObject({
      code: "webhook.future_timestamp",
    });
    const oneDayOld = await signed(scheme, { now: NOW - 86_400_000 });
    expect((await verify(scheme, oneDayOld, { toleranceSeconds: 30 * 86_400 })).ok).toBe(true);
  });

  it("reports a forged old delivery as a bad signature, not as stale", async () => {
    const headers = await signed(scheme, { now: NOW - 3_600_000, secret: SECRETS[scheme].other });
    expect(await verify(scheme, headers)).toMatchObject({ code: "webhook.bad_signature" });
  });

  it("fails closed when the receiver's clock is not a number", async () => {
    const headers = await signed(scheme);
    expect(await verify(scheme, headers, { now: Number.NaN })).toMatchObject({
      code: "webhook.stale_timestamp",
    });
  });

  it("returns the signed timestamp in ms", async () => {
    const result = await verify(scheme, await signed(scheme, { now: NOW - 42_500 }));
    expect(result).toMatchObject({ ok: true, timestamp: NOW - 43_000 });
  });
});

describe("standard specifics", () => {
  it("needs webhook-id and webhook-timestamp as well as the signature", async () => {
    const headers = await signed("standard");
    const { "webhook-id": _id, ...withoutId } = headers;
    const { "webhook-timestamp": _ts, ...withoutTimestamp } = headers;
    expect(await verify("standard", withoutId)).toMatchObject({ code: "webhook.missing_signature" });
    expect(await verify("standard", withoutTimestamp)).toMatchObject({ code: "webhook.missing_signature" });
  });

  it.each([
    ["a non-numeric timestamp", { "webhook-timestamp": "hello" }],
    ["a timestamp with a suffix", { "webhook-timestamp": "1768478400abc" }],
    [
      "a signature without a version",
      { "webhook-signature": "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" },
    ],
    ["only asymmetric v1a signatures", { "webhook-signature": "v1a,g0hM9SsE+OTPJTGt" }],
    ["an id with spaces", { "webhook-id": "msg 1" }],
    ["a huge signature header", { "webhook-signature": `v1,${"A".repeat(9000)}` }],
  ])("calls %s malformed", async (_name, override) => {
    const headers = { ...(await signed("standard")), ...override };
    expect(await verify("standard", headers)).toMatchObject({ code: "webhook.malformed_header" });
  });

  it("treats a truncated or empty v1 entry as a bad signature", async () => {
    const headers = await signed("standard");
    for (const value of ["v1,", "v1,dawfeoifkpqwoekfpqoekf", headers["webhook-signature"]!.slice(0, 12)]) {
      expect(await verify("standard", { ...headers, "webhook-signature": value })).toMatchObject({
        code: "webhook.bad_signature",
      });
    }
  });

  it("signs with every secret given, so a sender can rotate", async () => {
    const headers = await signed("standard", { secret: [SECRETS.standard.other, SECRETS.standard.current] });
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect((await verify("standard", headers)).ok).toBe(true);
  });

  it("answers a secret that is not base64 exactly as a wrong secret (no bit about the secret leaks)", async () => {
    const headers = await signed("standard");
    const unusable = await verify("standard", headers, { secrets: ["whsec_not base64!"] });
    const wrong = await verify("standard", headers, { secrets: [SECRETS.standard.other] });
    expect(unusable).toMatchObject({ ok: false, code: "webhook.bad_signature" });
    expect(unusable).toEqual(wrong);
  });

  it("sees a replay: the same delivery verified twice gives the same dedup key", async () => {
    const headers = await signed("standard");
    const first = await verify("standard", headers);
    const again = await verify("standard", headers, { now: NOW + 120_000 });
    expect(first).toMatchObject({ ok: true, dedupKey: "standard:delivery-1" });
    expect(again).toMatchObject({ ok: true, dedupKey: "standard:delivery-1" });
  });
});

describe("github specifics", () => {
  it.each([
    ["a sha1 prefix", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"],
    ["no prefix", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"],
    ["a short digest", "sha256=757107ea"],
    ["non-hex digits", `sha256=${"z".repeat(64)}`],
  ])("calls %s malformed", async (_name, value) => {
    expect(await verify("github", { "x-hub-signature-256": value })).toMatchObject({
      code: "webhook.malformed_header",
    });
  });

  it("says when only the legacy SHA-1 header came", async () => {
    const result = await verify("github", { "x-hub-signature": "sha1=0123" });
    expect(result).toMatchObject({ code: "webhook.missing_signature" });
    expect(result.ok === false && result.message).toContain("X-Hub-Signature-256");
  });

  it("keys dedup on the signature, since GitHub does not sign the delivery id", async () => {
    const headers = await signed("github");
    const replayed = await verify("github", { ...headers, "x-github-delivery": "forged-new-id" });
    const original = await verify("github", headers);
    expect(replayed.ok && original.ok && replayed.dedupKey === original.dedupKey).toBe(true);
    expect(original).toMatchObject({ deliveryId: "delivery-1", timestamp: undefined });
  });
});

describe("stripe specifics", () => {
  it("takes the delivery id from the event in the body", async () => {
    expect(await verify("stripe", await signed("stripe"))).toMatchObject({
      ok: true,
      deliveryId: "evt_123",
      dedupKey: "stripe:evt_123",
    });
  });

  it("keys dedup on the signed header when the body has no id", async () => {
    const headers = await signWebhook({
      scheme: "stripe",
      secret: SECRETS.stripe.current,
      body: "[1,2]",
      now: NOW,
    });
    const result = await verify("stripe", headers, { body: "[1,2]" });
    expect(result).toMatchObject({ ok: true, deliveryId: undefined });
    expect(result.ok && result.dedupKey).toMatch(/^stripe:\d+:[0-9a-f]{64}$/);
  });

  it("skips v0 and unknown entries, and accepts any matching v1 entry", async () => {
    const headers = await signed("stripe", { secret: [SECRETS.stripe.other, SECRETS.stripe.current] });
    const value = `${headers["stripe-signature"]},v0=${"0".repeat(64)},scheme=x`;
    expect((await verify("stripe", { "stripe-signature": value })).ok).toBe(true);
  });

  it.each([
    ["no timestamp", `v1=${"a".repeat(64)}`],
    ["no v1 signature", "t=1768478400,v0=abc"],
    ["two timestamps", `t=1,t=2,v1=${"a".repeat(64)}`],
    ["a non-numeric timestamp", `t=soon,v1=${"a".repeat(64)}`],
    ["an entry without =", `t=1768478400,v1`],
    ["a short v1", "t=1768478400,v1=abcd"],
  ])("calls %s malformed", async (_name, value) => {
    expect(await verify("stripe", { "stripe-signature": value })).toMatchObject({
      code: "webhook.malformed_header",
    });
  });
});

describe("verifyWebhook", () => {
  it("refuses an unknown scheme with a clear code", async () => {
    const result = await verifyWebhook({ scheme: "slack", secrets: ["x"], headers: {}, body: "", now: NOW });
    expect(result).toMatchObject({ ok: false, code: "webhook.unknown_scheme" });
  });

  it("never throws, even on inputs that break the types", async () => {
    const broken = [
      { scheme: "standard", secrets: null, headers: null, body: null, now: Number.NaN },
      { scheme: "github", secrets: [42], headers: { "x-hub-signature-256": 7 }, body: undefined, now: NOW },
      {
        scheme: "stripe",
        secrets: "whsec",
        headers: {
          get: () => {
            throw new Error("boom");
          },
        },
        body: BODY,
        now: NOW,
      },
      { scheme: undefined, secrets: [], headers: {}, body: BODY, now: NOW },
    ];
    for (const options of broken) {
      const result = await verifyWebhook(options as unknown as VerifyWebhookOptions);
      expect(result.ok).toBe(false);
    }
  });
});
