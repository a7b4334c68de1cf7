/**
 * @module
 * The Worker's entry point: the Hono app behind the OAuth provider as the fetch handler
 * (worker/oauth/entry.ts), the Queue consumer that turns R2 event notifications into file_change
 * events, and the Durable Object classes wrangler binds (`TENANT_DO`, `RUN_DO`).
 */
import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { createFetchHandler } from "./oauth/entry.ts";
import { consumeFileEvents } from "./queue/file-events-consumer.ts";

export { RunDO } from "../durable-objects/run-do.ts";
export { TenantDO } from "../durable-objects/tenant-do.ts";

const app = createApp();

export default {
  fetch: createFetchHandler(app),
  queue: consumeFileEvents,
} satisfies ExportedHandler<Env>;
