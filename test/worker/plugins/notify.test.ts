/**
 * The notification plugins against local stand-ins: webhook (Standard Webhooks headers whose
 * signature the repository's own verifier accepts, and rejects under another secret or a changed
 * body; the same webhook-id on every attempt of one notification), slack (incoming-webhook JSON,
 * checked by a local server that answers like Slack), email (the send_email binding as miniflare
 * simulates it), and non-2xx answers as external.http_status.
 */
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../../../engine/events/signatures/index.ts";
import { emailPlugin, emailText } from "../../../plugins/email/plugin.ts";
import { slackPlugin } from "../../../plugins/slack/plugin.ts";
import { webhookPlugin } from "../../../plugins/webhook/plugin.ts";
import { deliveries, pluginContext, targetUrl } from "../support/plugin-context.ts";

const SECRET = `whsec_${btoa("a webhook signing secret of 32 b")}`;
const OTHER_SECRET = `whsec_${btoa("another secret, not the one used")}`;

function box(): string {
  return crypto.randomUUID();
}

describe("webhook", () => {
  it("POSTs {type, timestamp, data} signed the Standard Webhooks way, verifiable by engine/events/signatures", async () => {
    const inbox = box();
    const context = pluginContext(webhookPlugin, {
      config: { url: targetUrl(`/record/${inbox}`), secret: SECRET },
      idempotencyKey: "run-1:notify_ops:0",
    });
    const notification = {
      message: "Deployed 1.2.3",
      title: "Deploy",
      details: { version: "1.2.3", ok: true },
    };
    expect(await webhookPlugin.invoke("send", notification, context)).toEqual({
      status: 200,
      webhook_id: "run-1:notify_ops:0",
    });

    const [delivery] = await deliveries(inbox);
    if (delivery === undefined) throw new Error("nothing was delivered");
    const body: unknown = JSON.parse(delivery.body);
    expect(body).toEqual({
      type: "edgeflow.notification",
      timestamp: expect.any(String),
      data: notification,
    });
    expect(delivery.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "run-1:notify_ops:0",
      "webhook-timestamp": expect.stringMatching(/^\d+$/),
      "webhook-signature": expect.stringMatching(/^v1,/),
      "idempotency-key": "run-1:notify_ops:0",
    });

    const now = Number(delivery.headers["webhook-timestamp"]) * 1000;
    const verify = (secret: string, raw: string) =>
      verifyWebhook({ scheme: "standard", secrets: [secret], headers: delivery.headers, body: raw, now });
    expect(await verify(SECRET, delivery.body)).toMatchObject({ ok: true, deliveryId: "run-1:notify_ops:0" });
    expect(await verify(OTHER_SECRET, delivery.body)).toMatchObject({
      ok: false,
      code: "webhook.bad_signature",
    });
    expect(await verify(SECRET, delivery.body.replace("1.2.3", "6.6.6"))).toMatchObject({
      ok: false,
      code: "webhook.bad_signature",
    });
  });

  it("sends the same webhook-id on a retry of the same notification, another for another", async () => {
    const inbox = box();
    const send = (idempotencyKey: string) =>
      webhookPlugin.invoke(
        "send",
        { message: "m" },
        pluginContext(webhookPlugin, {
          config: { url: targetUrl(`/record/${inbox}`), secret: SECRET },
          idempotencyKey,
        }),
      );
    await send("run-1:n:0");
    await send("run-1:n:0");
    await send("run-1:n:1");
    const ids = (await deliveries(inbox)).map((delivery) => delivery.headers["webhook-id"]);
    expect(ids).toEqual(["run-1:n:0", "run-1:n:0", "run-1:n:1"]);
  });

  it("hashes an idempotency key that is not a valid webhook-id into one", async () => {
    const inbox = box();
    const context = pluginContext(webhookPlugin, {
      config: { url: targetUrl(`/record/${inbox}`), secret: SECRET },
      idempotencyKey: "run 1 / step ü",
    });
    const answer = await webhookPlugin.invoke("send", { message: "m" }, context);
    expect(answer).toMatchObject({ webhook_id: expect.stringMatching(/^msg_[0-9a-f]{64}$/) });
  });

  it("refuses a secret that is not whsec_<base64>, and a non-2xx answer is external.http_status", async () => {
    const bad = pluginContext(webhookPlugin, {
      config: { url: targetUrl("/record/x"), secret: "not base64!" },
    });
    await expect(webhookPlugin.invoke("send", { message: "m" }, bad)).rejects.toMatchObject({
      code: "external.failed",
      message: expect.not.stringContaining("not base64!"),
    });
    const failing = pluginContext(webhookPlugin, {
      config: { url: targetUrl("/status/503"), secret: SECRET },
    });
    await expect(webhookPlugin.invoke("send", { message: "m" }, failing)).rejects.toMatchObject({
      code: "external.http_status",
      retryable: true,
    });
  });
});

describe("slack", () => {
  it("posts {text} alone for a bare message", async () => {
    const inbox = box();
    const context = pluginContext(slackPlugin, { config: { webhook_url: targetUrl(`/slack/${inbox}`) } });
    expect(await slackPlugin.invoke("send", { message: "Build *green*" }, context)).toEqual({ status: 200 });
    const [delivery] = await deliveries(inbox);
    expect(JSON.parse(delivery?.body ?? "null")).toEqual({ text: "Build *green*" });
  });

  it("adds blocks with a header for the title, the message and the details as fields", async () => {
    const inbox = box();
    const context = pluginContext(slackPlugin, {
      config: { webhook_url: targetUrl(`/slack/${inbox}`), username: "edgeflow", icon_emoji: ":robot_face:" },
    });
    await slackPlugin.invoke(
      "send",
      { title: "Deploy failed", message: "step `deploy`", details: { run: "r-1" } },
      context,
    );
    const [delivery] = await deliveries(inbox);
    expect(JSON.parse(delivery?.body ?? "null")).toEqual({
      text: "Deploy failed: step `deploy`",
      username: "edgeflow",
      icon_emoji: ":robot_face:",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Deploy failed", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "step `deploy`" } },
        { type: "section", fields: [{ type: "mrkdwn", text: "*run*\nr-1" }] },
      ],
    });
  });

  it("turns Slack's 400 invalid_payload into external.http_status, not retryable", async () => {
    const context = pluginContext(slackPlugin, { config: { webhook_url: targetUrl(`/slack/${box()}`) } });
    await expect(slackPlugin.invoke("send", { message: "" }, context)).rejects.toMatchObject({
      code: "external.http_status",
      message: expect.stringContaining("HTTP 400"),
      retryable: false,
    });
  });
});

describe("email", () => {
  it("sends through the EMAIL binding (simulated by miniflare) and answers its message id", async () => {
    const context = pluginContext(emailPlugin, {
      config: {
        from: "flows@example.com",
        from_name: "edgeflow",
        to: ["ops@example.com", "dev@example.com"],
      },
    });
    const answer = await emailPlugin.invoke(
      "send",
      { title: "Run failed", message: "deploy failed" },
      context,
    );
    expect(answer).toEqual({ message_id: expect.any(String) });
  });

  it("writes the details under the message", () => {
    expect(emailText({ message: "done", details: { run: "r-1", steps: 3 } })).toBe(
      "done\n\nrun: r-1\nsteps: 3",
    );
  });

  it("fails as external.failed without the binding, and refuses a bad address in its configuration", async () => {
    const noBinding = {
      ...pluginContext(emailPlugin, { config: { from: "a@example.com", to: "b@example.com" } }),
      bindings: {},
    };
    await expect(emailPlugin.invoke("send", { message: "m" }, noBinding)).rejects.toMatchObject({
      code: "external.failed",
    });
    const badAddress = pluginContext(emailPlugin, {
      config: { from: "not an address", to: "b@example.com" },
    });
    await expect(emailPlugin.invoke("send", { message: "m" }, badAddress)).rejects.toMatchObject({
      code: "external.failed",
    });
  });
});
