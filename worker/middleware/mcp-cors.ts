/**
 * @module
 * CORS for `/mcp`, on every answer including the 401s and 413s sent before MCP is reached, so a
 * browser-based client can read why it was refused. Preflights are answered here, without a key.
 * Keys travel in `Authorization`, never in cookies, so `*` is a safe origin.
 */
import { cors } from "hono/cors";

export const mcpCors = cors({
  origin: "*",
  allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
  allowHeaders: [
    "Content-Type",
    "Accept",
    "Authorization",
    "Mcp-Session-Id",
    "Mcp-Protocol-Version",
    "Mcp-Method",
    "Mcp-Name",
    "Last-Event-ID",
  ],
  exposeHeaders: ["Mcp-Session-Id", "WWW-Authenticate", "X-Request-Id"],
  maxAge: 86_400,
});
