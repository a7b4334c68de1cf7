/**
 * @module
 * What a `POST /mcp` costs against the tenant's `mcp` rate limits, read before the key check so
 * the tenant's DO can charge it in the same call (`authenticate`'s `admission`): one unit per
 * JSON-RPC message (a request or a notification; a batch is its length; a body that is not
 * JSON-RPC costs one, and the MCP handler refuses it); any other authenticated method (GET,
 * DELETE) costs one. Also notes the body's `tools/call`s when it
 * holds nothing else: refused, those get a coded tool error with `retry_after_ms`
 * (`mcp-refusal.ts`), anything else an HTTP 429. A POST's body is read once, here: the MCP handler
 * gets the same request rebuilt over that text (`mcpRequest`).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { McpToolCalls, ToolCallRef } from "./mcp-tool-calls.ts";

export interface McpCost {
  cost: number;
  toolCalls?: McpToolCalls;
}

export const priceMcpRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  // a request without a key is refused by tenant auth: not worth parsing
  if (c.req.header("authorization") === undefined || c.req.method === "OPTIONS") return next();
  if (c.req.method === "POST") {
    // read once (a clone would tee the stream): the MCP handler gets the same request over this text
    const body = await c.req.raw.text();
    const priced = mcpCostOf(body);
    c.set("mcpRequest", new Request(c.req.raw, { body }));
    c.set("admission", { surface: "mcp", cost: priced.cost });
    c.set("mcpToolCalls", priced.toolCalls);
  } else {
    // GET (a stream) or DELETE (end a session): one unit, as each reaches the DO and the handler
    c.set("admission", { surface: "mcp", cost: 1 });
  }
  await next();
};

/** The cost of a `/mcp` body, and its tool calls when it is nothing else. Pure. */
export function mcpCostOf(body: string): McpCost {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { cost: 1 };
  }
  const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const cost = Math.max(1, messages.length);
  const calls = messages.map(toolCallOf);
  if (calls.length === 0 || calls.some((call) => call === undefined)) return { cost };
  return { cost, toolCalls: { batch: Array.isArray(parsed), calls: calls as ToolCallRef[] } };
}

function toolCallOf(message: unknown): ToolCallRef | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { method, id, params } = message as { method?: unknown; id?: unknown; params?: { name?: unknown } };
  if (method !== "tools/call" || (typeof id !== "string" && typeof id !== "number")) return undefined;
  const name = typeof params?.name === "string" ? params.name : "";
  return { id, name };
}
