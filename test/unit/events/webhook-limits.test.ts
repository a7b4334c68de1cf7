/**
 * @module
 * What one webhook delivery may cost in signature checks: a trigger lists at most
 * MAX_WEBHOOK_SECRETS secrets (refused at load with its location), publish refuses an endpoint
 * whose subscriptions name more than MAX_ENDPOINT_VERIFICATIONS distinct (scheme, secret) pairs,
 * and a delivery checks each distinct pair once whatever the number of subscribers.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { verifyDelivery } from "../../../durable-objects/tenant/webhook-verification.ts";
import {
  endpointSecretProblem,
  MAX_ENDPOINT_VERIFICATIONS,
  MAX_WEBHOOK_SECRETS,
  type Subscription,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
} from "../../../engine/events/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BODY = new TextEncoder().encode('{"hello":"world"}');

function hook(id: string, secret: string | string[], extra: Record<string, unknown> = {}): Subscription {
  return {
    id: `w#${id}`,
    workflow: "w",
    event_pattern: "webhook:/hook",
    trigger: { type: "webhook", endpoint: "/hook", secret, signature: "github", ...extra },
  } as Subscription;
}

describe("webhook secret limits", () => {
  it(`refuses a secret list of more than ${MAX_WEBHOOK_SECRETS} entries at load, with its location`, () => {
    const fixture = readFileSync(
      new URL("../../fixtures/events/deploy-on-push.yaml", import.meta.url),
      "utf8",
    );
    const withSecrets = (count: number) =>
      fixture.replace(
        'secret: "{{ env.GITHUB_HOOK_SECRET }}"',
        `secret: [${Array.from({ length: count }, (_, i) => `"{{ env.HOOK_SECRET_${i} }}"`).join(", ")}]`,
      );
    const refused = loadWorkflow(withSecrets(MAX_WEBHOOK_SECRETS + 1));
    const errors = refused.ok ? [] : refused.errors;
    expect(errors, JSON.stringify(errors)).toEqual([
      expect.objectContaining({
        path: "triggers[0].secret",
        message: expect.stringContaining(`at most ${MAX_WEBHOOK_SECRETS}`),
      }),
    ]);
    const fits = loadWorkflow(withSecrets(MAX_WEBHOOK_SECRETS));
    expect(fits.ok, JSON.stringify(fits.ok ? [] : fits.errors)).toBe(true);
  });

  it("checks each distinct (scheme, secret) once per delivery, however many subscribers name it", async () => {
    const headers = await signWebhook({ scheme: "github", secret: "right", body: BODY, now: NOW });
    const subscribers: Subscription[] = [];
    for (let i = 0; i < 200; i++) {
      subscribers.push(
        hook(`t${i}`, i % 2 === 0 ? ["wrong-a", "wrong-b", "right"] : ["right", "wrong-a"], {
          tolerance_seconds: 60 + i,
        }),
      );
    }
    const sign = vi.spyOn(crypto.subtle, "sign");
    const calls: VerifyWebhookOptions[] = [];
    const result = await verifyDelivery(
      { endpoint: "/hook", headers, body: BODY, now: NOW },
      subscribers,
      {},
      (o) => {
        calls.push(o);
        return verifyWebhook(o);
      },
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.subscriptions).toHaveLength(200);
    expect(calls.map((call) => call.secrets).sort()).toEqual([["right"], ["wrong-a"], ["wrong-b"]]);
    // one HMAC per distinct secret, counted at WebCrypto (the old per-group checks took 400)
    expect(sign).toHaveBeenCalledTimes(3);
    sign.mockRestore();
  });

  it(`never runs more than ${MAX_ENDPOINT_VERIFICATIONS} checks for one delivery (the backstop)`, async () => {
    const headers = await signWebhook({ scheme: "github", secret: "bogus", body: BODY, now: NOW });
    const subscribers = Array.from({ length: 500 }, (_, i) => hook(`t${i}`, [`s${i}a`, `s${i}b`, `s${i}c`]));
    let count = 0;
    const result = await verifyDelivery(
      { endpoint: "/hook", headers, body: BODY, now: NOW },
      subscribers,
      {},
      (o) => {
        count++;
        return verifyWebhook(o);
      },
    );
    expect(result).toMatchObject({ ok: false, rejection: { code: "webhook.bad_signature" } });
    expect(count).toBe(MAX_ENDPOINT_VERIFICATIONS);
  });

  it("applies each group's own tolerance to a signature checked once", async () => {
    const headers = await signWebhook({
      scheme: "standard",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      body: BODY,
      now: NOW - 120_000,
    });
    const tight = {
      ...hook("tight", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
        signature: "standard",
        tolerance_seconds: 60,
      }),
    };
    const loose = {
      ...hook("loose", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
        signature: "standard",
        tolerance_seconds: 300,
      }),
    };
    const both = await verifyDelivery(
      { endpoint: "/hook", headers, body: BODY, now: NOW },
      [tight, loose],
      {},
    );
    expect(both.ok && both.subscriptions.map((s) => s.id)).toEqual(["w#loose"]);
    const onlyTight = await verifyDelivery({ endpoint: "/hook", headers, body: BODY, now: NOW }, [tight], {});
    expect(onlyTight).toMatchObject({ ok: false, rejection: { code: "webhook.stale_timestamp" } });
  });

  it(`refuses at publish an endpoint that would need more than ${MAX_ENDPOINT_VERIFICATIONS} distinct checks, located`, () => {
    const others = Array.from({ length: 5 }, (_, i) => ({
      ...hook(`o${i}`, [`o${i}a`, `o${i}b`, `o${i}c`]),
      workflow: "other",
    }));
    const fits = [{ subscription: hook("n", "shared"), path: "triggers[0]" }];
    expect(endpointSecretProblem(others, fits)).toBeUndefined();
    const crowded = [
      { subscription: hook("n", "shared"), path: "triggers[0]" },
      { subscription: hook("m", ["x", "y"]), path: "triggers[1]" },
    ];
    expect(endpointSecretProblem(others, crowded)).toMatchObject({
      code: "subscription.too_many_secrets",
      path: "triggers[1].secret",
    });
  });
});
