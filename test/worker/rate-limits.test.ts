/**
 * Rate limits on the HTTP surfaces, decided in the tenant's Durable Object: a burst of five times
 * the limit on `POST /events` and on a webhook endpoint gets 429s with `Retry-After`,
 * `RateLimit-Policy` and `RateLimit`, and every 202 is in the event log (nothing else is); a
 * refused webhook delivery succeeds when the sender retries after the window; per-key limits of two
 * keys of one tenant are independent; one tenant at its limit does not limit another; the admin
 * surface is limited per tenant; the settings are validated (docs/operations.md, "Rate limits").
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { adminFetch, newTenant } from "./support/clients.ts";
import { eventLog, postEvent, postHook, publish, setSecret, sign } from "./support/events.ts";
import {
  advanceClock,
  freezeInWindow,
  patchSettings,
  rateLimitHeadersOf,
  setSettings,
} from "./support/rate-limits.ts";

const HOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const ON_PUSH = `name: "hooks:limited"
description: "Starts on a signed push"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/push"
    secret: "{{ env.PUSH_SECRET }}"
steps:
  - id: "say"
    type: "user_message"
    message: "pushed"
`;

afterEach(() => {
  vi.useRealTimers();
});

const LIMIT = 5;

async function issueKey(tenant: string): Promise<string> {
  const res = await adminFetch(`/admin/tenants/${tenant}/keys`, { method: "POST", body: "{}" });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

describe("POST /events", () => {
  it("a burst of five times the limit: the limit's worth of 202s, 429s with headers, every 202 in the log", async () => {
    const tenant = await newTenant("rl-events");
    await setSettings(tenant.id, { rate_limit_events_per_minute: LIMIT });
    freezeInWindow(1);
    const answers = [];
    for (let i = 0; i < LIMIT * 5; i += 1) {
      answers.push(await postEvent(tenant.apiKey, { id: `burst-${i}`, type: "custom.ping" }));
    }
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(accepted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(LIMIT * 4);
    for (const answer of refused) {
      expect(answer.body.error?.code).toBe("ratelimit.exceeded");
      expect(rateLimitHeadersOf(answer.headers)).toEqual({
        "retry-after": "59",
        "ratelimit-policy": `"events";q=${LIMIT};w=60`,
        ratelimit: '"events";r=0;t=59',
      });
    }
    const logged = (await eventLog(tenant.apiKey)).map((event) => event.event_id).sort();
    expect(logged).toEqual(accepted.map((answer) => answer.body.event_id).sort());
    expect(logged).toEqual(Array.from({ length: LIMIT }, (_, i) => `burst-${i}`).sort());
  });

  it("a batch is admitted whole or refused whole, each event one unit", async () => {
    const tenant = await newTenant("rl-batch");
    await setSettings(tenant.id, { rate_limit_events_per_minute: 4 });
    freezeInWindow(30);
    const batch = (ids: string[]) => ({ events: ids.map((id) => ({ id, type: "custom.batch" })) });
    expect((await postEvent(tenant.apiKey, batch(["a", "b", "c"]))).status).toBe(202);
    const refused = await postEvent(tenant.apiKey, batch(["d", "e"]));
    expect(refused.status).toBe(429);
    expect(rateLimitHeadersOf(refused.headers).ratelimit).toBe('"events";r=1;t=30');
    expect((await postEvent(tenant.apiKey, batch(["f"]))).status).toBe(202);
    const logged = (await eventLog(tenant.apiKey)).map((event) => event.event_id).sort();
    expect(logged).toEqual(["a", "b", "c", "f"]);
  });

  it("per-key limits of two keys of one tenant are independent", async () => {
    const tenant = await newTenant("rl-keys");
    const second = await issueKey(tenant.id);
    await setSettings(tenant.id, { rate_limit_events_per_key_per_minute: 3 });
    freezeInWindow(1);
    const post = (key: string, id: string) => postEvent(key, { id, type: "custom.key" });
    for (let i = 0; i < 3; i += 1) expect((await post(tenant.apiKey, `first-${i}`)).status).toBe(202);
    const refused = await post(tenant.apiKey, "first-3");
    expect(refused.status).toBe(429);
    expect(rateLimitHeadersOf(refused.headers)["ratelimit-policy"]).toBe('"events-key";q=3;w=60');
    for (let i = 0; i < 3; i += 1) expect((await post(second, `second-${i}`)).status).toBe(202);
    expect((await post(second, "second-3")).status).toBe(429);
  });

  it("one tenant at its limit does not limit another", async () => {
    const noisy = await newTenant("rl-noisy");
    const quiet = await newTenant("rl-quiet");
    await setSettings(noisy.id, { rate_limit_events_per_minute: 2 });
    await setSettings(quiet.id, { rate_limit_events_per_minute: 2 });
    freezeInWindow(1);
    for (let i = 0; i < 10; i += 1) await postEvent(noisy.apiKey, { type: "custom.noise" });
    expect((await postEvent(noisy.apiKey, { type: "custom.noise" })).status).toBe(429);
    expect((await postEvent(quiet.apiKey, { type: "custom.calm" })).status).toBe(202);
    expect((await postEvent(quiet.apiKey, { type: "custom.calm" })).status).toBe(202);
  });
});

describe("webhooks", () => {
  it("a burst of five times the limit: 429s the sender retries, never a 202 that was not stored", async () => {
    const tenant = await newTenant("rl-hooks");
    await setSecret(tenant.id, "PUSH_SECRET", HOOK_SECRET);
    await publish(tenant.apiKey, ON_PUSH);
    await setSettings(tenant.id, { rate_limit_webhooks_per_minute: LIMIT });
    freezeInWindow(10);
    const deliveries = await Promise.all(
      Array.from({ length: LIMIT * 5 }, async (_, i) => {
        const body = JSON.stringify({ n: i });
        return { body, headers: await sign("standard", HOOK_SECRET, body, { id: `msg_${i}` }) };
      }),
    );
    const answers = [];
    for (const delivery of deliveries) {
      answers.push(await postHook(tenant.id, "/push", delivery.body, delivery.headers));
    }
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted).toHaveLength(LIMIT);
    const refused = answers.flatMap((answer, i) => (answer.status === 429 ? [i] : []));
    expect(refused).toHaveLength(LIMIT * 4);
    expect(rateLimitHeadersOf(answers[refused[0]!]!.headers)).toEqual({
      "retry-after": "50",
      "ratelimit-policy": `"webhooks";q=${LIMIT};w=60`,
      ratelimit: '"webhooks";r=0;t=50',
    });
    const stored = async () => (await eventLog(tenant.apiKey)).map((event) => event.event_id).sort();
    expect(await stored()).toEqual(accepted.map((answer) => answer.body.event_id).sort());

    // The sender retries a refused delivery (same id, signed again) after Retry-After: stored once.
    advanceClock(50_000);
    const retried = deliveries[refused[0]!]!;
    const resigned = await sign("standard", HOOK_SECRET, retried.body, { id: `msg_${refused[0]}` });
    const retry = await postHook(tenant.id, "/push", retried.body, resigned);
    expect(retry.status).toBe(202);
    expect(await stored()).toEqual([...accepted, retry].map((answer) => answer.body.event_id).sort());
  });

  it("forged deliveries do not spend the tenant's limit", async () => {
    const tenant = await newTenant("rl-forged");
    await setSecret(tenant.id, "PUSH_SECRET", HOOK_SECRET);
    await publish(tenant.apiKey, ON_PUSH);
    await setSettings(tenant.id, { rate_limit_webhooks_per_minute: 1 });
    freezeInWindow(1);
    const body = JSON.stringify({ forged: true });
    const forged = await sign("standard", "whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", body);
    for (let i = 0; i < 5; i += 1)
      expect((await postHook(tenant.id, "/push", body, forged)).status).toBe(401);
    const genuine = await sign("standard", HOOK_SECRET, body, { id: "msg_genuine" });
    expect((await postHook(tenant.id, "/push", body, genuine)).status).toBe(202);
    const next = await sign("standard", HOOK_SECRET, body, { id: "msg_next" });
    expect((await postHook(tenant.id, "/push", body, next)).status).toBe(429);
  });
});

describe("admin", () => {
  it("requests naming a tenant are limited per tenant; another tenant's are not", async () => {
    const tenant = await newTenant("rl-admin");
    const other = await newTenant("rl-admin-other");
    freezeInWindow(1);
    await setSettings(tenant.id, { rate_limit_admin_per_minute: 3 });
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(200);
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(200);
    const refused = await adminFetch(`/admin/tenants/${tenant.id}`);
    expect(refused.status).toBe(429);
    expect(rateLimitHeadersOf(refused.headers)).toEqual({
      "retry-after": "59",
      "ratelimit-policy": '"admin";q=3;w=60',
      ratelimit: '"admin";r=0;t=59',
    });
    expect((await adminFetch(`/admin/tenants/${other.id}`)).status).toBe(200);
    advanceClock(60_000);
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(200);
  });
});

describe("settings", () => {
  const NAMES = [
    "rate_limit_mcp_per_minute",
    "rate_limit_mcp_per_key_per_minute",
    "rate_limit_events_per_minute",
    "rate_limit_events_per_key_per_minute",
    "rate_limit_webhooks_per_minute",
    "rate_limit_admin_per_minute",
  ];

  it.each(NAMES)("%s takes a whole number from 1 to 1,000,000, else 400 settings.invalid", async (name) => {
    const tenant = await newTenant("rl-settings");
    for (const bad of [0, -5, 1.5, "60", 1_000_001, true]) {
      const res = await patchSettings(tenant.id, { [name]: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "settings.invalid", path: name } });
    }
    const ok = await patchSettings(tenant.id, { [name]: 120 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { settings: Record<string, unknown> }).settings[name]).toBe(120);
    const removed = await patchSettings(tenant.id, { [name]: null });
    expect(((await removed.json()) as { settings: Record<string, unknown> }).settings).not.toHaveProperty(
      name,
    );
  });
});
