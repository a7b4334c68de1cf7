/**
 * @module
 * `/mcp`: MCP over Streamable HTTP, stateless (decision 4). Tenant auth runs first (an API key,
 * or an OAuth token the provider validated: middleware/tenant-auth.ts); the handler from
 * `agents/mcp/server` then serves the request with a server built for that tenant, whose tools
 * check the caller's scopes (mcp/tool-scopes.ts). The tenant id also travels as `authInfo`
 * (clientId), the SDK's slot for the caller's identity.
 */
import { createMcpHandler } from "agents/mcp/server";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { createEdgeflowServer } from "../mcp/server.ts";
import { mcpRebindingGuardOptions } from "../middleware/mcp-rebinding-guard.ts";
import { requireTenantKey } from "../middleware/tenant-auth.ts";
import { installedPlugins } from "../plugins/installed-plugins.ts";

export const MCP_ROUTE = "/mcp";

export const mcpRoutes = new Hono<AppEnv>().use(MCP_ROUTE, requireTenantKey).all(MCP_ROUTE, async (c) => {
  const scope = { env: c.env, tenant: c.get("tenant"), plugins: installedPlugins() };
  const scopes = c.get("scopes");
  const handler = createMcpHandler(() => createEdgeflowServer(scope, scopes), {
    route: MCP_ROUTE,
    ...mcpRebindingGuardOptions(c.env),
    onerror: (error) => console.warn(`[${c.get("requestId")}] mcp: ${error.message}`),
  });
  if (c.req.method === "OPTIONS") return handler.fetch(c.req.raw);
  return handler.fetch(c.req.raw, {
    authInfo: {
      token: c.get("keyId"),
      clientId: scope.tenant,
      scopes,
      extra: { tenant: scope.tenant },
    },
  });
});
