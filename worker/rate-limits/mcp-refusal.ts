/**
 * @module
 * The answer to a `/mcp` body of `tools/call`s that the tenant's rate limit refused: for each call,
 * the JSON-RPC result an MCP server would give a failed tool (`isError`, the coded error
 * `ratelimit.exceeded` with `retry_after_ms`, built by the tool kit's own `toolError`), with the
 * RateLimit headers. Answered here, without building the tenant's MCP server, so a tenant hammering
 * past its limit costs the platform a key check and this, not a full MCP exchange.
 */
import type { RateLimitedError } from "../../engine/rate-limits/rate-limited-error.ts";
import { toolError } from "../mcp/tool-kit.ts";
import type { McpToolCalls } from "./mcp-tool-calls.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";

export function refuseToolCalls(toolCalls: McpToolCalls, refusal: RateLimitedError): Response {
  const answers = toolCalls.calls.map((call) => ({
    jsonrpc: "2.0",
    id: call.id,
    result: toolError(refusal, call.name),
  }));
  return new Response(JSON.stringify(toolCalls.batch ? answers : answers[0]), {
    status: 200,
    headers: { ...rateLimitHeaders(refusal.verdict), "content-type": "application/json" },
  });
}
