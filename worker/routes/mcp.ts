/**
 * @module
 * `/mcp`: MCP over Streamable HTTP, stateless (decision 4). Tenant auth runs first; the handler
 * from `agents/mcp/server` then serves the request with a server built for that tenant. The
 * tenant id also travels as `authInfo` (clientId), the SDK's slot for the caller's identity.
 */
import { createMcpHandler } from "agents/mcp/server";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { createEdgeflowServer } from "../mcp/server.ts";
import { requireTenantKey } from "../middleware/tenant-auth.ts";
import { installedPlugins } from "../plugins/installed-plugins.ts";

export const MCP_ROUTE = "/mcp";

export const mcpRoutes = new Hono<AppEnv>().use(MCP_ROUTE, requireTenantKey).all(MCP_ROUTE, async (c) => {
  const audit = { actor: `key:${c.get("keyId")}` as const, requestId: c.get("requestId") };
  const scope = { env: c.env, tenant: c.get("tenant"), audit, plugins: installedPlugins() };
  const handler = createMcpHandler(() => createEdgeflowServer(scope), {
    route: MCP_ROUTE,
    onerror: (error) => console.warn(`[${c.get("requestId")}] mcp: ${error.message}`),
  });
  if (c.req.method === "OPTIONS") return handler.fetch(c.req.raw);
  return handler.fetch(c.req.raw, {
    authInfo: {
      token: c.get("keyId"),
      clientId: scope.tenant,
      scopes: ["tenant"],
      extra: { tenant: scope.tenant },
    },
  });
});
