/**
 * Replays after the dedup window (issue 9, item 9): `tolerance_seconds` is capped at 1 day at
 * publish (a located error), so a Standard Webhooks or Stripe delivery is either deduplicated or
 * stale; GitHub, which signs no timestamp, is deduplicated on the body's signature whatever its
 * (unsigned) `X-GitHub-Delivery` says, for 30 days rather than the 4 of the other schemes.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { GITHUB_HOOK, postHook, publish, STRIPE_HOOK, setSecret, sign } from "./support/events.ts";

const DAY_MS = 86_400_000;
const GITHUB_SECRET = "a github secret";
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function standardHook(tolerance: number): string {
  return `name: "replay:standard"
description: "Standard Webhooks with the widest tolerance"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/standard"
    secret: "{{ env.STANDARD_SECRET }}"
    tolerance_seconds: ${tolerance}
steps:
  - id: "note"
    type: "user_message"
    message: "got it"
`;
}

let tenant: { id: string; apiKey: string };

beforeAll(async () => {
  tenant = await newTenant("replay");
  await setSecret(tenant.id, "GITHUB_SECRET", GITHUB_SECRET);
  await setSecret(tenant.id, "STRIPE_SECRET", "whsec_stripe_signing_secret");
  await setSecret(tenant.id, "STANDARD_SECRET", STANDARD_SECRET);
  await publish(tenant.apiKey, GITHUB_HOOK);
  await publish(tenant.apiKey, STRIPE_HOOK);
});

afterEach(() => {
  vi.useRealTimers();
});

/** Moves the isolate's clock (the route's `now`) forward by `ms`. */
function advanceClock(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

describe("tolerance_seconds is capped below the dedup window", () => {
  it("over 1 day is refused at publish, with the trigger field's path", async () => {
    const call = await callTool(tenant.apiKey, "workflow_publish", { yaml: standardHook(86_401) });
    expect(call.isError).toBe(true);
    expect(call.structured).toMatchObject({
      errors: [
        {
          code: "loader.invalid_value",
          path: "triggers[0].tolerance_seconds",
          line: 8,
          message: expect.stringContaining("at most 86400 seconds"),
        },
      ],
    });
  });

  it("at the cap, Standard Webhooks and Stripe still refuse stale timestamps", async () => {
    await publish(tenant.apiKey, standardHook(86_400));
    const body = JSON.stringify({ n: 1 });
    const stale = await sign("standard", STANDARD_SECRET, body, { now: Date.now() - 2 * DAY_MS });
    const refused = await postHook(tenant.id, "/standard", body, stale);
    expect([refused.status, refused.body.error?.code]).toEqual([401, "webhook.stale_timestamp"]);
    const fresh = await sign("standard", STANDARD_SECRET, body, { now: Date.now() - DAY_MS / 2 });
    expect((await postHook(tenant.id, "/standard", body, fresh)).status).toBe(202);

    const charge = JSON.stringify({
      id: "evt_stale",
      type: "charge.succeeded",
      data: { object: { amount: 1 } },
    });
    const oldCharge = await sign("stripe", "whsec_stripe_signing_secret", charge, {
      now: Date.now() - 10 * 60_000,
    });
    const stripe = await postHook(tenant.id, "/stripe", charge, oldCharge);
    expect([stripe.status, stripe.body.error?.code]).toEqual([401, "webhook.stale_timestamp"]);
  });
});

describe("GitHub replays", () => {
  const body = JSON.stringify({ ref: "refs/heads/replayed", after: "f00d" });
  const deliver = async (deliveryId: string) =>
    postHook(tenant.id, "/github", body, {
      ...(await sign("github", GITHUB_SECRET, body, { id: deliveryId })),
      "x-github-event": "push",
    });

  it("a signed body sent again under a new X-GitHub-Delivery is the same delivery, for 30 days", async () => {
    const first = await deliver("11111111-1111-4111-8111-111111111111");
    expect(first.status).toBe(202);
    expect(first.body.runs).toHaveLength(1);

    const again = await deliver("22222222-2222-4222-8222-222222222222");
    expect([again.status, again.body, again.headers.get("x-edgeflow-duplicate")]).toEqual([
      202,
      first.body,
      "true",
    ]);

    // past the 4-day window of the other schemes: still the same delivery
    advanceClock(5 * DAY_MS);
    const later = await deliver("33333333-3333-4333-8333-333333333333");
    expect([later.status, later.body, later.headers.get("x-edgeflow-duplicate")]).toEqual([
      202,
      first.body,
      "true",
    ]);

    // past 30 days the body is accepted again, as docs/events.md says
    advanceClock(26 * DAY_MS);
    const afterWindow = await deliver("44444444-4444-4444-8444-444444444444");
    expect(afterWindow.status).toBe(202);
    expect(afterWindow.body.event_id).not.toBe(first.body.event_id);
  });
});
