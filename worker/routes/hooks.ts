/**
 * @module
 * `POST /hooks/:tenant/*`: webhook deliveries. No API key: the signature decides (the tenant's
 * webhook triggers on that endpoint say which scheme and secret). The route only refuses an
 * oversized body (413, before reading), reads the raw bytes (never a re-serialised body), takes
 * `now`, and hands everything to the tenant's DO, which answers `202 {event_id, runs}` once the
 * event, its log, the dedup row and the pending starts are stored in one transaction. A tenant
 * that does not exist and an endpoint nobody listens on get one answer (the registry's "exists" is
 * remembered for a few seconds per isolate: `registered-tenant-cache.ts`) (`unknownEndpoint` in
 * `durable-objects/tenant/contracts.ts`). A suspended tenant's delivery is refused with `503
 * tenant.suspended` and `Retry-After`: nothing is stored, the sender keeps it and retries.
 */

import { Hono } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { unknownEndpoint } from "../../durable-objects/tenant/contracts.ts";
import { MAX_BODY_BYTES } from "../../engine/body-size.ts";
import type { AppEnv } from "../app-env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { headerRecord } from "../http/header-record.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { errorResponse } from "../middleware/errors.ts";
import { isRecentlyRegisteredTenant } from "../tenancy/registered-tenant-cache.ts";
import { isTenantId } from "../tenancy/tenant-id.ts";

/** What a suspended tenant's webhook sender is told to wait before retrying. */
export const SUSPENDED_RETRY_AFTER_SECONDS = 3600;

const HOOK_PATH = /^\/hooks\/([^/]+)(\/.*)$/;

export const hookRoutes = new Hono<AppEnv>().post(
  "/hooks/:tenant/*",
  limitBody(MAX_BODY_BYTES, "webhook.body_too_large"),
  async (c) => {
    const now = Date.now();
    const match = HOOK_PATH.exec(new URL(c.req.url).pathname);
    const tenant = match?.[1] ?? "";
    const endpoint = match?.[2] ?? "/";
    // One answer for a malformed tenant id, an unknown tenant and an unknown endpoint; the DO of an
    // unknown tenant is never reached.
    if (!isTenantId(tenant) || !(await isRecentlyRegisteredTenant(c.env, tenant, now)))
      throw unknownEndpoint();
    const body = new Uint8Array(await c.req.arrayBuffer());
    const contentType = c.req.header("content-type");
    const outcome = await tenantStub(c.env, tenant).receiveWebhook(tenant, {
      endpoint,
      headers: headerRecord(c.req.raw.headers),
      body,
      now,
      ...(contentType === undefined ? {} : { contentType }),
    });
    // a suspended tenant's delivery is not accepted: 503 and Retry-After, so the sender keeps it and retries
    if (!outcome.ok && outcome.error.code === RuntimeCodes.tenantSuspended) {
      const refused = errorResponse(503, outcome.error);
      refused.headers.set("retry-after", String(SUSPENDED_RETRY_AFTER_SECONDS));
      return refused;
    }
    const receipt = await unwrap(outcome);
    if (receipt.duplicate) c.header("x-edgeflow-duplicate", "true");
    return c.json(receipt.answer, 202);
  },
);
