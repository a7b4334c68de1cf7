/**
 * @module
 * The Worker's entry point: the Hono app as the fetch handler, the Queue consumer that turns R2
 * event notifications into file_change events, and the Durable Object classes wrangler binds
 * (`TENANT_DO`, `RUN_DO`).
 */
import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { consumeFileEvents } from "./queue/file-events-consumer.ts";

export { RunDO } from "../durable-objects/run-do.ts";
export { TenantDO } from "../durable-objects/tenant-do.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: consumeFileEvents,
} satisfies ExportedHandler<Env>;
