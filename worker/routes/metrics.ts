/**
 * @module
 * `GET /metrics`: the Prometheus text exposition (docs/observability.md "Metrics (Prometheus)").
 * A tenant API key as `Authorization: Bearer` reads that tenant's series, the admin token every
 * tenant's; anything else is 401 with the usual coded body. `metrics/scrape.ts` does the work.
 */
import { Hono } from "hono";
import { EXPOSITION_CONTENT_TYPE } from "../../engine/metrics/exposition.ts";
import type { AppEnv } from "../app-env.ts";
import { scrape, scrapeScope } from "../metrics/scrape.ts";
import { bearerToken } from "../middleware/bearer.ts";

export const metricsRoutes = new Hono<AppEnv>().get("/metrics", async (c) => {
  const scope = await scrapeScope(c.env, bearerToken(c.req.header("authorization")));
  const text = await scrape(c.env, scope);
  return c.body(text, 200, { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" });
});
