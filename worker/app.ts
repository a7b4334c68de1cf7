/**
 * @module
 * The Hono app: request id, body limit, error boundary, and the surfaces: `/mcp`, `/healthz`,
 * `/admin/*`, `/hooks/:tenant/*` (signed webhooks) and `/events` (tenant key). Routes parse and
 * answer; the work happens in services and DOs.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app-env.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { handleError, handleNotFound } from "./middleware/errors.ts";
import { mcpCors } from "./middleware/mcp-cors.ts";
import { adminRoutes } from "./routes/admin.ts";
import { eventRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { mcpRoutes } from "./routes/mcp.ts";

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("/mcp", mcpCors);
  app.use("/mcp", limitBody());
  app.use("/admin/*", limitBody());
  app.use("/events", limitBody());
  app.route("/", healthRoutes);
  app.route("/", mcpRoutes);
  app.route("/admin", adminRoutes);
  app.route("/", hookRoutes);
  app.route("/", eventRoutes);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
