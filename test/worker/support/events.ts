/**
 * Helpers for event tests: workflows with triggers, tenant secrets, signed and unsigned webhook
 * deliveries, posted events, and waiting for the runs an event promised (they start right after
 * the 202, in the TenantDO).
 */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { signWebhook, type WebhookScheme } from "../../../engine/events/index.ts";
import { adminFetch, BASE, callTool } from "./clients.ts";

/** A Standard Webhooks secret (`whsec_` + base64 of 24 bytes). */
export const HOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const OLD_HOOK_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/** Deploys on a signed webhook: the seed's `{{ env.WEBHOOK_SECRET }}`, a filter and a mapping. */
export const DEPLOY_HOOK = `name: "hooks:deploy"
description: "Deploys the pushed ref"
version: "1.0.0"
inputs:
  ref:
    type: "string"
    description: "Git ref"
triggers:
  - id: push
    type: webhook
    endpoint: "/workflow/trigger"
    secret: ["{{ env.WEBHOOK_SECRET }}", "{{ env.WEBHOOK_SECRET_PREVIOUS }}"]
    filter: "payload.ref !== undefined"
    inputs_mapping:
      ref: "payload.ref"
steps:
  - id: "say"
    type: "user_message"
    message: "deploying {{ inputs.ref }} from {{ event.source }}"
`;

/** A second subscriber on the same endpoint, with no mapping. */
export const AUDIT_HOOK = `name: "hooks:audit"
description: "Records every delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/workflow/trigger"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "note"
    type: "user_message"
    message: "audit {{ event.payload.ref }}"
`;

export const GITHUB_HOOK = `name: "hooks:github"
description: "GitHub pushes"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/github"
    signature: github
    secret: "{{ env.GITHUB_SECRET }}"
    filter: "headers['x-github-event'] === 'push'"
steps:
  - id: "note"
    type: "user_message"
    message: "push to {{ event.payload.ref }}"
`;

export const STRIPE_HOOK = `name: "hooks:stripe"
description: "Stripe payments"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/stripe"
    signature: stripe
    secret: "{{ env.STRIPE_SECRET }}"
    inputs_mapping:
      amount: "payload.data.object.amount"
inputs:
  amount:
    type: "number"
    description: "Amount in cents"
steps:
  - id: "note"
    type: "user_message"
    message: "paid {{ inputs.amount }}"
`;

export async function setSecret(tenant: string, name: string, value: string): Promise<void> {
  const res = await adminFetch(`/admin/tenants/${tenant}/secrets/${name}`, {
    method: "PUT",
    body: JSON.stringify({ value }),
  });
  expect([200, 201]).toContain(res.status);
}

export async function publish(apiKey: string, yaml: string): Promise<void> {
  const published = await callTool(apiKey, "workflow_publish", { yaml });
  if (published.isError) throw new Error(published.text);
}

export interface HookResponse {
  status: number;
  body: { event_id?: string; runs?: string[]; error?: { code: string; message: string } };
  headers: Headers;
}

/** POSTs a delivery to /hooks/<tenant><endpoint>. */
export async function postHook(
  tenant: string,
  endpoint: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<HookResponse> {
  const res = await SELF.fetch(`${BASE}/hooks/${tenant}${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? {} : JSON.parse(text), headers: res.headers };
}

/** Signs `body` the way a sender would, at `now` (default: the current clock). */
export function sign(
  scheme: WebhookScheme,
  secret: string | string[],
  body: string,
  options: { now?: number; id?: string } = {},
): Promise<Record<string, string>> {
  return signWebhook({
    scheme,
    secret,
    body,
    now: options.now ?? Date.now(),
    ...(options.id === undefined ? {} : { id: options.id }),
  });
}

export async function postEvent(apiKey: string | null, body: unknown): Promise<HookResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
  const res = await SELF.fetch(`${BASE}/events`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? {} : JSON.parse(text), headers: res.headers };
}

export interface EventMatchView {
  subscription_id: string;
  workflow: string;
  outcome: string;
  workflow_id?: string;
  started_at?: string;
  error?: { code: string; message: string };
}

export interface EventView {
  event_id: string;
  type: string;
  source: string;
  status: string;
  received_at: string;
  error?: { code: string };
  detail?: Record<string, unknown>;
  payload?: unknown;
  matches: EventMatchView[];
}

export async function eventLog(apiKey: string, args: Record<string, unknown> = {}): Promise<EventView[]> {
  const call = await callTool(apiKey, "workflow_events", { limit: 200, ...args });
  if (call.isError) throw new Error(call.text);
  return call.structured.events as EventView[];
}

/** Waits until no match of the event is still `pending`, and returns the event. */
export async function settledEvent(apiKey: string, eventId: string): Promise<EventView> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [event] = await eventLog(apiKey, { event_id: eventId });
    if (event?.matches.every((match) => match.outcome !== "pending")) return event;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`event ${eventId} did not settle`);
}

/** The runs of a tenant the index knows (newest first), any status. */
export async function activeRuns(apiKey: string): Promise<{ workflow_id: string; workflow: string }[]> {
  const listed = await callTool(apiKey, "workflow_list_active");
  return listed.structured.workflows as { workflow_id: string; workflow: string }[];
}
