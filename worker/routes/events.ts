/**
 * @module
 * `POST /events` (tenant API key): custom events and file changes (from `edgeflow watch`). The
 * body is validated here; the tenant's DO matches it against every subscription, stores it with
 * its log and pending starts in one transaction, and only then is it answered
 * `202 {event_id, runs}`. Re-posting an event `id` already taken in starts nothing and answers
 * the original result, so a sender may retry safely.
 */
import { Hono } from "hono";
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { eventTypeSchema } from "../../engine/events/index.ts";
import type { AppEnv } from "../app-env.ts";
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

export const eventRoutes = new Hono<AppEnv>().post("/events", requireTenantKey, async (c) => {
  const now = Date.now();
  const body = await readJson(c, postedEventSchema);
  const tenant = c.get("tenant");
  const receipt = await unwrap(
    tenantStub(c.env, tenant).receiveEvent(tenant, {
      type: body.type,
      now,
      ...(body.id === undefined ? {} : { id: body.id }),
      ...(body.source === undefined ? {} : { source: body.source }),
      ...(body.payload === undefined ? {} : { payload: body.payload }),
    }),
  );
  if (receipt.duplicate) c.header("x-edgeflow-duplicate", "true");
  return c.json(receipt.answer, 202);
});
