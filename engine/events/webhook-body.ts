/**
 * @module
 * Turning a verified webhook body into an event payload: JSON (`application/json`, `*+json`),
 * forms (`application/x-www-form-urlencoded`: an object of strings, repeated keys as arrays;
 * GitHub's form deliveries, a single `payload` field holding JSON, are unwrapped to that JSON),
 * and anything else as text. Bodies over the size limit are refused before parsing. Never
 * throws. The route should also refuse an oversized body before reading it (Content-Length).
 */
import { MAX_BODY_BYTES } from "../body-size.ts";

export type WebhookBodyResult =
  | { ok: true; payload: unknown }
  | { ok: false; code: "webhook.body_too_large" | "webhook.bad_body"; message: string };

export interface ParseWebhookBodyOptions {
  contentType?: string | undefined;
  /** default `MAX_BODY_BYTES` (engine/body-size.ts), the limit the route enforces first */
  maxBytes?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function parseWebhookBody(
  body: Uint8Array | string,
  options: ParseWebhookBodyOptions = {},
): WebhookBodyResult {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const size = typeof body === "string" ? new TextEncoder().encode(body).length : body.length;
  if (size > maxBytes) {
    return {
      ok: false,
      code: "webhook.body_too_large",
      message: `the body is ${size} bytes; the limit is ${maxBytes}`,
    };
  }
  let text: string;
  try {
    text = typeof body === "string" ? body : decoder.decode(body);
  } catch {
    return { ok: false, code: "webhook.bad_body", message: "the body is not valid UTF-8" };
  }
  const mediaType = (options.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (mediaType === "application/x-www-form-urlencoded") return { ok: true, payload: parseForm(text) };
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, code: "webhook.bad_body", message: `the JSON body does not parse: ${reason}` };
    }
  }
  if (mediaType === "" && /^\s*[[{]/.test(text)) {
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch {
      return { ok: true, payload: text };
    }
  }
  return { ok: true, payload: text };
}

function parseForm(text: string): unknown {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const previous = form[name];
    if (previous === undefined) form[name] = value;
    else if (Array.isArray(previous))
      previous.push(value); // in place: a key repeated n times stays O(n)
    else form[name] = [previous, value];
  }
  const names = Object.keys(form);
  if (names.length === 1 && names[0] === "payload" && typeof form.payload === "string") {
    try {
      const unwrapped: unknown = JSON.parse(form.payload);
      if (typeof unwrapped === "object" && unwrapped !== null) return unwrapped;
    } catch {
      // not GitHub's JSON-in-a-form: keep the form
    }
  }
  return { ...form };
}
