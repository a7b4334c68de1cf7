/**
 * POST /hooks/:tenant/* end to end in workerd: signatures through the route (every failure is a
 * 401 with a stable code and starts nothing), replays answered with the original result, the
 * 202 naming the runs of every subscriber, bodies (JSON, form, too large, broken), and never a 500.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import SEED_EXAMPLE from "../fixtures/loader/valid/seed-example.yaml?raw";
import { BASE, callTool, newTenant } from "./support/clients.ts";
import {
  AUDIT_HOOK,
  DEPLOY_HOOK,
  eventLog,
  GITHUB_HOOK,
  HOOK_SECRET,
  OLD_HOOK_SECRET,
  postHook,
  publish,
  STRIPE_HOOK,
  setSecret,
  settledEvent,
  sign,
} from "./support/events.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

let tenant: { id: string; apiKey: string };
const ENDPOINT = "/workflow/trigger";

beforeAll(async () => {
  tenant = await newTenant("hooks");
  await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
  await setSecret(tenant.id, "GITHUB_SECRET", "a github secret");
  await setSecret(tenant.id, "STRIPE_SECRET", "whsec_stripe_signing_secret");
  for (const yaml of [DEPLOY_HOOK, AUDIT_HOOK, GITHUB_HOOK, STRIPE_HOOK]) await publish(tenant.apiKey, yaml);
});

async function signedPush(ref: string, options: { id?: string; now?: number; secret?: string } = {}) {
  const body = JSON.stringify({ ref, commits: 2 });
  const headers = await sign("standard", options.secret ?? HOOK_SECRET, body, options);
  return { body, headers };
}

async function runCount(): Promise<number> {
  const events = await eventLog(tenant.apiKey);
  return events.flatMap((event) => event.matches).filter((match) => match.workflow_id !== undefined).length;
}

describe("signed webhooks", () => {
  it("a signed delivery is stored, answered 202 with one run per subscriber, and both runs start", async () => {
    const { body, headers } = await signedPush("refs/heads/main");
    const res = await postHook(tenant.id, ENDPOINT, body, headers);
    expect(res.status).toBe(202);
    expect(res.body.event_id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(res.body.runs).toHaveLength(2);

    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(event).toMatchObject({ type: "webhook", source: ENDPOINT, status: "accepted" });
    expect(event.detail).toEqual({ verified: [{ scheme: "standard", secret_index: 0 }] });
    expect(event.matches.map((match) => [match.workflow, match.outcome])).toEqual([
      ["hooks:audit", "started"],
      ["hooks:deploy", "started"],
    ]);
    expect(event.matches.map((match) => match.workflow_id).sort()).toEqual([...res.body.runs!].sort());

    const deployRun = event.matches.find((match) => match.workflow === "hooks:deploy")!.workflow_id!;
    const next = await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: deployRun });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({
        definition: expect.objectContaining({ message: "deploying refs/heads/main from /workflow/trigger" }),
      }),
    ]);
    const status = await callTool(tenant.apiKey, "workflow_get_status", { workflow_id: deployRun });
    expect(status.structured).toMatchObject({ state: { inputs: { ref: "refs/heads/main" } } });
  });

  it("a retried delivery (same webhook-id) gets the original answer and starts no second run", async () => {
    const { body, headers } = await signedPush("refs/heads/retry", { id: "msg_retry_1" });
    const first = await postHook(tenant.id, ENDPOINT, body, headers);
    expect(first.status).toBe(202);
    await settledEvent(tenant.apiKey, first.body.event_id!);
    const before = await runCount();

    const again = await postHook(tenant.id, ENDPOINT, body, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("x-edgeflow-duplicate")).toBe("true");
    // Re-signed later with the same id (a sender's retry): still the same delivery.
    const resigned = await signedPush("refs/heads/retry", { id: "msg_retry_1", now: Date.now() + 30_000 });
    expect((await postHook(tenant.id, ENDPOINT, resigned.body, resigned.headers)).body).toEqual(first.body);
    expect(await runCount()).toBe(before);
  });

  it("concurrent copies of one delivery start its runs once", async () => {
    const { body, headers } = await signedPush("refs/heads/race", { id: "msg_race" });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postHook(tenant.id, ENDPOINT, body, headers)),
    );
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    const events = await eventLog(tenant.apiKey, { type: "webhook", status: "accepted" });
    expect(events.filter((event) => event.event_id === answers[0]!.body.event_id)).toHaveLength(1);
  });

  it("a secret being rotated out still verifies, and the log says which one matched", async () => {
    await setSecret(tenant.id, "WEBHOOK_SECRET_PREVIOUS", OLD_HOOK_SECRET);
    const { body, headers } = await signedPush("refs/heads/old", { secret: OLD_HOOK_SECRET });
    const res = await postHook(tenant.id, ENDPOINT, body, headers);
    expect(res.status).toBe(202);
    // hooks:audit lists only the current secret, so only hooks:deploy verified.
    expect(res.body.runs).toHaveLength(1);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(event.detail).toEqual({ verified: [{ scheme: "standard", secret_index: 1 }] });
    expect(event.matches.map((match) => match.workflow)).toEqual(["hooks:deploy"]);
  });

  it("a sender signing with both secrets during its rotation is accepted once", async () => {
    const body = JSON.stringify({ ref: "refs/heads/both" });
    const headers = await sign("standard", [HOOK_SECRET, OLD_HOOK_SECRET], body);
    const res = await postHook(tenant.id, ENDPOINT, body, headers);
    expect(res.status).toBe(202);
    expect(res.body.runs).toHaveLength(2);
  });

  it("GitHub: X-Hub-Signature-256 over the raw body, filters on headers", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: "abc123" });
    const headers = { ...(await sign("github", "a github secret", body)), "x-github-event": "push" };
    const res = await postHook(tenant.id, "/github", body, headers);
    expect(res.status).toBe(202);
    expect(res.body.runs).toHaveLength(1);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(event.matches[0]).toMatchObject({ workflow: "hooks:github", outcome: "started" });

    const ping = { ...(await sign("github", "a github secret", "{}")), "x-github-event": "ping" };
    const pinged = await postHook(tenant.id, "/github", "{}", ping);
    expect(pinged.status).toBe(202);
    expect(pinged.body.runs).toEqual([]);
    const filtered = await settledEvent(tenant.apiKey, pinged.body.event_id!);
    expect(filtered.matches).toEqual([expect.objectContaining({ outcome: "filtered_out" })]);
  });

  it("GitHub form deliveries (payload=<json>) are unwrapped", async () => {
    const json = JSON.stringify({ ref: "refs/heads/form" });
    const body = `payload=${encodeURIComponent(json)}`;
    const headers = {
      ...(await sign("github", "a github secret", body)),
      "x-github-event": "push",
      "content-type": "application/x-www-form-urlencoded",
    };
    const res = await postHook(tenant.id, "/github", body, headers);
    expect(res.status).toBe(202);
    const [event] = await eventLog(tenant.apiKey, { event_id: res.body.event_id, include_payload: true });
    expect(event?.payload).toEqual({ ref: "refs/heads/form" });
  });

  it("Stripe: Stripe-Signature with a timestamp; the event id dedups retries", async () => {
    const body = JSON.stringify({
      id: "evt_stripe_1",
      type: "charge.succeeded",
      data: { object: { amount: 4200 } },
    });
    const res = await postHook(
      tenant.id,
      "/stripe",
      body,
      await sign("stripe", "whsec_stripe_signing_secret", body),
    );
    expect(res.status).toBe(202);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(event.matches[0]).toMatchObject({ outcome: "started" });
    const retry = await postHook(
      tenant.id,
      "/stripe",
      body,
      await sign("stripe", "whsec_stripe_signing_secret", body, { now: Date.now() + 60_000 }),
    );
    expect(retry.body).toEqual(res.body);
  });
});

describe("refused deliveries: 401 with a stable code, nothing started", () => {
  async function expectRefused(
    endpoint: string,
    body: string,
    headers: Record<string, string>,
    code: string,
  ): Promise<void> {
    const before = await runCount();
    const res = await postHook(tenant.id, endpoint, body, headers);
    expect([res.status, res.body.error?.code]).toEqual([401, code]);
    expect(res.body.error?.message).not.toContain(HOOK_SECRET);
    expect(await runCount()).toBe(before);
  }

  it("unsigned", async () => {
    await expectRefused(ENDPOINT, '{"ref":"x"}', {}, "webhook.missing_signature");
  });

  it("a header missing", async () => {
    const { body, headers } = await signedPush("x");
    const { "webhook-timestamp": _dropped, ...rest } = headers;
    await expectRefused(ENDPOINT, body, rest, "webhook.missing_signature");
  });

  it("tampered body", async () => {
    const { headers } = await signedPush("refs/heads/main");
    await expectRefused(
      ENDPOINT,
      JSON.stringify({ ref: "refs/heads/evil", commits: 2 }),
      headers,
      "webhook.bad_signature",
    );
  });

  it("wrong secret", async () => {
    const { body, headers } = await signedPush("x", { secret: "whsec_dGhpcyBpcyBub3QgdGhlIHJpZ2h0IG9uZQ==" });
    await expectRefused(ENDPOINT, body, headers, "webhook.bad_signature");
  });

  it("stale and future timestamps", async () => {
    const stale = await signedPush("x", { now: Date.now() - 10 * 60_000 });
    await expectRefused(ENDPOINT, stale.body, stale.headers, "webhook.stale_timestamp");
    const future = await signedPush("x", { now: Date.now() + 10 * 60_000 });
    await expectRefused(ENDPOINT, future.body, future.headers, "webhook.future_timestamp");
  });

  it("malformed signature headers", async () => {
    const { body, headers } = await signedPush("x");
    await expectRefused(
      ENDPOINT,
      body,
      { ...headers, "webhook-signature": "v1,%%%" },
      "webhook.bad_signature",
    );
    await expectRefused("/github", "{}", { "x-hub-signature-256": "sha1=abc" }, "webhook.malformed_header");
    await expectRefused("/stripe", "{}", { "stripe-signature": "garbage" }, "webhook.malformed_header");
  });

  it("refusals are in the event log (status rejected, with the code)", async () => {
    await postHook(tenant.id, ENDPOINT, "{}", {});
    const rejected = await eventLog(tenant.apiKey, { status: "rejected" });
    expect(rejected[0]).toMatchObject({
      type: "webhook",
      source: ENDPOINT,
      error: { code: "webhook.missing_signature" },
    });
    expect(rejected[0]?.matches).toEqual([]);
  });
});

describe("endpoints and bodies", () => {
  it("an unknown tenant and a real tenant's unknown endpoint get byte-identical answers", async () => {
    const answers = [];
    for (const path of [
      `/hooks/${tenant.id}/nobody`,
      `/hooks/${tenant.id}/workflow`,
      "/hooks/no-such-tenant/nobody",
      "/hooks/no-such-tenant/workflow/trigger",
      "/hooks/Bad_Id/nobody",
    ]) {
      const res = await SELF.fetch(`${BASE}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      const headers = [...res.headers].filter(([name]) => name !== "x-request-id");
      answers.push({ status: res.status, headers, body: await res.text() });
    }
    expect(answers[0]).toMatchObject({
      status: 404,
      body: expect.stringContaining('"hooks.unknown_endpoint"'),
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("a body over 1 MiB is 413 webhook.body_too_large, before verification", async () => {
    const res = await postHook(tenant.id, ENDPOINT, "x".repeat(1024 * 1024 + 1));
    expect([res.status, res.body.error?.code]).toEqual([413, "webhook.body_too_large"]);
  });

  it("signed JSON that does not parse is 400 webhook.bad_body", async () => {
    const body = '{"ref": ';
    const res = await postHook(tenant.id, ENDPOINT, body, await sign("standard", HOOK_SECRET, body));
    expect([res.status, res.body.error?.code]).toEqual([400, "webhook.bad_body"]);
  });

  it("a filter that rejects, or a mapping that yields bad inputs, is logged; the delivery still gets 202", async () => {
    const body = JSON.stringify({ not_a_ref: true });
    const res = await postHook(tenant.id, ENDPOINT, body, await sign("standard", HOOK_SECRET, body));
    expect(res.status).toBe(202);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(Object.fromEntries(event.matches.map((match) => [match.workflow, match.outcome]))).toEqual({
      "hooks:audit": "started",
      "hooks:deploy": "filtered_out",
    });
  });

  it("never answers 500 to odd traffic", async () => {
    const odd: [string, string | Uint8Array, Record<string, string>][] = [
      [ENDPOINT, new Uint8Array([0xff, 0xfe, 0x00]), { "content-type": "application/octet-stream" }],
      [ENDPOINT, "", { "webhook-id": "", "webhook-timestamp": "", "webhook-signature": "" }],
      [ENDPOINT, "{}", { "webhook-id": "x", "webhook-timestamp": "1e400", "webhook-signature": "v1,AAAA" }],
      [
        ENDPOINT,
        "{}",
        { "webhook-id": "x".repeat(9000), "webhook-timestamp": "1", "webhook-signature": "v9" },
      ],
      ["/github", "[]", { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }],
      ["/stripe", "{}", { "stripe-signature": "t=,v1=" }],
      ["/%2e%2e/workflow/trigger", "{}", {}],
      ["/a/../../b", "{}", {}],
    ];
    for (const [endpoint, body, headers] of odd) {
      const res = await postHook(tenant.id, endpoint, body, headers);
      expect([endpoint, res.status < 500]).toEqual([endpoint, true]);
    }
  });
});

describe("the seed's example", () => {
  it("publishes with its three triggers, and its webhook (secret {{ env.WEBHOOK_SECRET }}) starts it", async () => {
    const { id, apiKey } = await newTenant("seed");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    // deployment_api is the tenant's service (the seed's file declares none); plugins from the test catalog
    const registered = await callToolWithPlugins(id, "service_register", {
      name: "deployment_api",
      uses: "http@^1",
      config: { base_url: "https://deploy.example", token: "{{ env.API_TOKEN }}" },
    });
    expect(registered.isError, registered.text).toBe(false);
    const published = await callToolWithPlugins(id, "workflow_publish", { yaml: SEED_EXAMPLE });
    expect(published.isError, published.text).toBe(false);
    const listed = await callTool(apiKey, "workflow_list_subscriptions");
    expect(
      (listed.structured.subscriptions as { trigger: { type: string } }[]).map((s) => s.trigger.type),
    ).toEqual(["file_change", "schedule", "webhook"]);
    const body = JSON.stringify({ reason: "manual" });
    const res = await postHook(id, "/workflow/trigger", body, await sign("standard", HOOK_SECRET, body));
    expect(res.status).toBe(202);
    expect(res.body.runs).toHaveLength(1);
    const event = await settledEvent(apiKey, res.body.event_id!);
    expect(event.matches).toEqual([expect.objectContaining({ outcome: "started" })]);
  });
});
