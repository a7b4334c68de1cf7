/**
 * @module
 * The Worker's entry point: the Hono app as the fetch handler, and the Durable Object classes
 * wrangler binds (`TENANT_DO`, `RUN_DO`).
 */
import { createApp } from "./app.ts";

export { RunDO } from "../durable-objects/run-do.ts";
export { TenantDO } from "../durable-objects/tenant-do.ts";

const app = createApp();

export default app;
