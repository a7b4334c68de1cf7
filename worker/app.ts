/**
 * @module
 * The Hono app: request id, body limit, error boundary, and the surfaces: `/mcp`, `/healthz`,
 * `/admin/*`, `/hooks/:tenant/*` (signed webhooks), `/events` (tenant key), `/metrics` (tenant key
 * or admin token), and the OAuth pages
 * `/authorize` and `/sign-in/<code>`. Routes parse and answer; the work happens in services and
 * DOs. The OAuth provider sits in front of this app (worker/oauth/entry.ts).
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app-env.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { handleError, handleNotFound } from "./middleware/errors.ts";
import { mcpCors } from "./middleware/mcp-cors.ts";
import { logRequest } from "./middleware/request-log.ts";
import { authorizeRoutes } from "./oauth/authorize-routes.ts";
import { mcpChallenge } from "./oauth/challenge.ts";
import { adminRoutes } from "./routes/admin.ts";
import { eventRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { metricsRoutes } from "./routes/metrics.ts";

/** The consent form holds a handle, an API key and a few scopes: 16 KiB is plenty. */
const CONSENT_FORM_BYTES = 16 * 1024;

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", logRequest);
  app.use("/mcp", mcpChallenge);
  app.use("/mcp", mcpCors);
  app.use("/mcp", limitBody());
  app.use("/admin/*", limitBody());
  app.use("/events", limitBody());
  app.use("/authorize", limitBody(CONSENT_FORM_BYTES));
  app.route("/", healthRoutes);
  app.route("/", mcpRoutes);
  app.route("/admin", adminRoutes);
  app.route("/", hookRoutes);
  app.route("/", eventRoutes);
  app.route("/", metricsRoutes);
  app.route("/", authorizeRoutes);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
