/** Webhook bodies become payloads: JSON, forms (GitHub's JSON-in-a-form unwrapped), text, limits. */
import { describe, expect, it } from "vitest";
import { eventHeaders } from "../../../engine/events/event-builders.ts";
import { parseWebhookBody } from "../../../engine/events/webhook-body.ts";

describe("parseWebhookBody", () => {
  it("parses JSON by content type, including +json types", () => {
    expect(parseWebhookBody('{"a":1}', { contentType: "application/json; charset=utf-8" })).toEqual({
      ok: true,
      payload: { a: 1 },
    });
    expect(parseWebhookBody("[1]", { contentType: "application/cloudevents+json" })).toEqual({
      ok: true,
      payload: [1],
    });
  });

  it("refuses JSON that does not parse", () => {
    expect(parseWebhookBody("{nope", { contentType: "application/json" })).toMatchObject({
      ok: false,
      code: "webhook.bad_body",
    });
  });

  it("parses forms, repeated keys as lists", () => {
    const body = new TextEncoder().encode("a=1&b=two+words&a=3");
    expect(parseWebhookBody(body, { contentType: "application/x-www-form-urlencoded" })).toEqual({
      ok: true,
      payload: { a: ["1", "3"], b: "two words" },
    });
  });

  it("collects a key repeated 200,000 times (a 1 MiB form) into one list, appending in place", () => {
    const body = Array.from({ length: 200_000 }, () => "a=").join("&");
    const parsed = parseWebhookBody(body, { contentType: "application/x-www-form-urlencoded" });
    expect(parsed.ok && (parsed.payload as { a: string[] }).a.length).toBe(200_000);
  });

  it("unwraps GitHub's form deliveries (one payload field holding JSON)", () => {
    const body = `payload=${encodeURIComponent('{"ref":"refs/heads/main"}')}`;
    expect(parseWebhookBody(body, { contentType: "application/x-www-form-urlencoded" })).toEqual({
      ok: true,
      payload: { ref: "refs/heads/main" },
    });
  });

  it("guesses JSON without a content type and keeps anything else as text", () => {
    expect(parseWebhookBody('{"a":1}')).toEqual({ ok: true, payload: { a: 1 } });
    expect(parseWebhookBody("{not json")).toEqual({ ok: true, payload: "{not json" });
    expect(parseWebhookBody("hello", { contentType: "text/plain" })).toEqual({ ok: true, payload: "hello" });
  });

  it("refuses bodies over the limit and bytes that are not UTF-8", () => {
    expect(parseWebhookBody("x".repeat(11), { maxBytes: 10 })).toMatchObject({
      code: "webhook.body_too_large",
    });
    expect(parseWebhookBody(new Uint8Array([0xff, 0xfe]))).toMatchObject({ code: "webhook.bad_body" });
  });
});

describe("eventHeaders", () => {
  it("lowercases names and drops credentials and signatures", () => {
    const headers = new Headers({
      Authorization: "Bearer x",
      Cookie: "a=b",
      "Stripe-Signature": "t=1,v1=ab",
      "Webhook-Signature": "v1,xx",
      "X-Hub-Signature-256": "sha256=ab",
      "X-GitHub-Event": "push",
      "Content-Type": "application/json",
    });
    expect(eventHeaders(headers)).toEqual({ "x-github-event": "push", "content-type": "application/json" });
  });

  it("bounds long values", () => {
    expect(eventHeaders({ "x-long": "y".repeat(5000) })["x-long"]).toHaveLength(1024);
  });
});
