/**
 * @module
 * `POST /events` (tenant API key): custom events and file changes (from `edgeflow watch`), one
 * per request or up to 100 as `{events: [...]}`. The body is validated here; the tenant's DO
 * matches each event against every subscription, stores them with their log and pending starts
 * in one transaction, and only then answers `202 {event_id, runs}` (a batch:
 * `202 {events: [{event_id, runs}, ...]}`, all or none). Re-posting an event `id` already taken
 * in starts nothing and answers the original result, so a sender may retry safely. Over the
 * tenant's or the key's `events` rate limit: 429 with `Retry-After`, nothing stored.
 */
import { Hono } from "hono";
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { eventTypeSchema } from "../../engine/events/index.ts";
import type { AppEnv } from "../app-env.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJson } from "../http/read-json.ts";
import { requireTenantKey } from "../middleware/tenant-auth.ts";

export const postedEventSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
    .optional()
    .describe("Your id for the event; re-sending the same id is answered with the original result"),
  type: eventTypeSchema,
  source: z.string().min(1).max(1024).optional().describe("Who sent it (default 'api')"),
  payload: z.unknown().optional().describe("The event's data; file_change wants {path, change}"),
});

/** Most events in one request. */
export const MAX_EVENTS_PER_REQUEST = 100;

export const postedBatchSchema = z.strictObject({
  events: z.array(postedEventSchema).min(1).max(MAX_EVENTS_PER_REQUEST),
});

type PostedBody = z.output<typeof postedEventSchema>;

export const eventRoutes = new Hono<AppEnv>().post("/events", requireTenantKey, async (c) => {
  const now = Date.now();
  const body = parseBody(await readJson(c, z.unknown()));
  const tenant = c.get("tenant");
  const stub = tenantStub(c.env, tenant);
  // the poster's key: the tenant's DO charges the events to its rate limits (429 when over)
  const poster = { keyId: c.get("keyId") };
  // a run an event starts continues the poster's trace (docs/observability.md, "traceparent")
  const traceparent = c.req.header("traceparent");
  if ("events" in body) {
    const receipts = await unwrap(
      stub.receiveEvents(
        tenant,
        body.events.map((event) => postedOf(event, now, traceparent)),
        poster,
      ),
    );
    return c.json({ events: receipts.map((receipt) => receipt.answer) }, 202);
  }
  const receipt = await unwrap(stub.receiveEvent(tenant, postedOf(body, now, traceparent), poster));
  if (receipt.duplicate) c.header("x-edgeflow-duplicate", "true");
  return c.json(receipt.answer, 202);
});

/** A batch when the body has `events`, else one event: each shape reports its own paths. */
function parseBody(body: unknown): PostedBody | z.output<typeof postedBatchSchema> {
  const batch = typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
  return batch
    ? parseInput(postedBatchSchema, body, "request body")
    : parseInput(postedEventSchema, body, "request body");
}

function postedOf(body: PostedBody, now: number, traceparent: string | undefined) {
  return {
    type: body.type,
    now,
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(body.id === undefined ? {} : { id: body.id }),
    ...(body.source === undefined ? {} : { source: body.source }),
    ...(body.payload === undefined ? {} : { payload: body.payload }),
  };
}
