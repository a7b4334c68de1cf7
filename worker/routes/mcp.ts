/**
 * @module
 * `/mcp`: MCP over Streamable HTTP, stateless (decision 4). The body is priced for the tenant's
 * `mcp` rate limits first (rate-limits/mcp-admission.ts), then tenant auth (an API key, or an
 * OAuth token the provider validated: middleware/tenant-auth.ts) checks the caller and charges the
 * price in the same call to the tenant's DO; the handler from `agents/mcp/server` then serves the
 * request with a server built for that tenant, whose tools check the caller's scopes
 * (mcp/tool-scopes.ts). Over the limit, a body of `tools/call`s is still answered, each call with
 * the coded tool error `ratelimit.exceeded` and its `retry_after_ms`; any other body gets HTTP 429
 * before the JSON-RPC layer. Every priced answer carries the `RateLimit-Policy` / `RateLimit`
 * headers. The tenant id also travels as `authInfo` (clientId), the SDK's slot for the caller's
 * identity.
 */
import { createMcpHandler } from "agents/mcp/server";
import { Hono } from "hono";
import { RateLimitedError } from "../../engine/rate-limits/rate-limited-error.ts";
import type { AppEnv } from "../app-env.ts";
import { createEdgeflowServer } from "../mcp/server.ts";
import { mcpRebindingGuardOptions } from "../middleware/mcp-rebinding-guard.ts";
import { requireTenantKey } from "../middleware/tenant-auth.ts";
import { installedPlugins } from "../plugins/installed-plugins.ts";
import { priceMcpRequest } from "../rate-limits/mcp-admission.ts";
import { refuseToolCalls } from "../rate-limits/mcp-refusal.ts";
import { rateLimitHeaders } from "../rate-limits/rate-limit-headers.ts";

export const MCP_ROUTE = "/mcp";

export const mcpRoutes = new Hono<AppEnv>()
  .use(MCP_ROUTE, priceMcpRequest, requireTenantKey)
  .all(MCP_ROUTE, async (c) => {
    const verdict = c.get("rateLimit");
    if (verdict !== undefined && !verdict.admitted) {
      const refusal = new RateLimitedError(verdict);
      const toolCalls = c.get("mcpToolCalls");
      if (toolCalls === undefined) throw refusal;
      return refuseToolCalls(toolCalls, refusal);
    }
    const traceparent = c.req.header("traceparent");
    const audit = {
      actor: c.get("actor"),
      requestId: c.get("requestId"),
      ...(traceparent === undefined ? {} : { traceparent }),
    };
    const scope = { env: c.env, tenant: c.get("tenant"), audit, plugins: installedPlugins() };
    const scopes = c.get("scopes");
    const calledTools = c.get("mcpToolCalls")?.calls.map((call) => call.name);
    const handler = createMcpHandler(() => createEdgeflowServer(scope, scopes, calledTools), {
      route: MCP_ROUTE,
      ...mcpRebindingGuardOptions(c.env),
      onerror: (error) => console.warn(`[${c.get("requestId")}] mcp: ${error.message}`),
    });
    if (c.req.method === "OPTIONS") return handler.fetch(c.req.raw);
    const response = await handler.fetch(c.get("mcpRequest") ?? c.req.raw, {
      authInfo: {
        token: c.get("keyId"),
        clientId: scope.tenant,
        scopes,
        extra: { tenant: scope.tenant },
      },
    });
    if (verdict === undefined) return response;
    const answered = new Response(response.body, response);
    for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) answered.headers.set(name, value);
    return answered;
  });
