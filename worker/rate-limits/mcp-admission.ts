/**
 * @module
 * What a `POST /mcp` costs against the tenant's `mcp` rate limits, read before the key check so
 * the tenant's DO can charge it in the same call (`authenticate`'s `admission`): one unit per
 * JSON-RPC message (a request or a notification; a batch is its length; a body that is not
 * JSON-RPC costs one, and the MCP handler refuses it). Also notes whether every message is a
 * `tools/call`: those get a coded tool error with `retry_after_ms` when refused, anything else an
 * HTTP 429 before the JSON-RPC layer. The original body stays unread for the MCP handler.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";

export interface McpCost {
  cost: number;
  toolCallsOnly: boolean;
}

export const priceMcpRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  // a request without a key is refused by tenant auth: not worth parsing
  if (c.req.method === "POST" && c.req.header("authorization") !== undefined) {
    const priced = mcpCostOf(await c.req.raw.clone().text());
    c.set("admission", { surface: "mcp", cost: priced.cost });
    c.set("mcpToolCallsOnly", priced.toolCallsOnly);
  }
  await next();
};

/** The cost of a `/mcp` body. Pure. */
export function mcpCostOf(body: string): McpCost {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { cost: 1, toolCallsOnly: false };
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  const methods = messages.map((message) =>
    typeof message === "object" && message !== null && "method" in message ? message.method : undefined,
  );
  return {
    cost: Math.max(1, methods.length),
    toolCallsOnly: methods.length > 0 && methods.every((method) => method === "tools/call"),
  };
}
