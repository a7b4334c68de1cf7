/**
 * Test helpers: admin calls, tenants with keys, and an MCP JSON-RPC client over SELF.fetch
 * (plain JSON-RPC, so tests also see the raw HTTP status and body).
 */
import { env, SELF } from "cloudflare:test";
import { firstText, toolErrorBody } from "../../support/tool-error-body.ts";

export const BASE = "http://edgeflow.test";

export function adminFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${env.ADMIN_TOKEN}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

let tenantCounter = 0;

/** Creates a tenant with a unique id and returns its id and first API key. */
export async function newTenant(prefix = "t"): Promise<{ id: string; apiKey: string; keyId: string }> {
  tenantCounter += 1;
  const id = `${prefix}-${tenantCounter}-${crypto.randomUUID().slice(0, 8)}`;
  const res = await adminFetch("/admin/tenants", { method: "POST", body: JSON.stringify({ id }) });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { apiKey: string; key: { id: string } };
  return { id, apiKey: body.apiKey, keyId: body.key.id };
}

let rpcId = 0;

export interface RpcResponse {
  status: number;
  body: {
    jsonrpc: "2.0";
    id?: number | string | null;
    result?: Record<string, unknown>;
    error?: { code: number; message: string; data?: unknown };
  };
}

/** Sends one JSON-RPC message to /mcp (2025-era stateless request: no session needed). */
export async function mcpRaw(
  apiKey: string | null,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const all: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
    ...headers,
  };
  if (apiKey !== null) all.authorization = `Bearer ${apiKey}`;
  return SELF.fetch(`${BASE}/mcp`, { method: "POST", headers: all, body });
}

export async function mcpRequest(apiKey: string, method: string, params: unknown = {}): Promise<RpcResponse> {
  rpcId += 1;
  const res = await mcpRaw(apiKey, JSON.stringify({ jsonrpc: "2.0", id: rpcId, method, params }));
  return { status: res.status, body: await readRpcBody(res) };
}

/** Reads a JSON or single-event SSE response body. */
export async function readRpcBody(res: Response): Promise<RpcResponse["body"]> {
  const text = await res.text();
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    const data = text
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim())
      .filter((line) => line !== "");
    return JSON.parse(data[data.length - 1] ?? "{}");
  }
  return JSON.parse(text);
}

export interface ToolCall {
  isError: boolean;
  /** `structuredContent` of a result; of a tool error, the coded JSON of its text `{error, ...}` */
  structured: Record<string, unknown>;
  text: string;
}

/** A tool call as a test reads it; a tool error has no `structuredContent`, its text is the coded JSON. */
export function toolCallOf(result: {
  isError?: boolean;
  structuredContent?: unknown;
  content?: unknown;
}): ToolCall {
  const text = firstText(result);
  if (result.isError === true) {
    if (result.structuredContent !== undefined) {
      throw new Error(`a tool error must not carry structuredContent: ${JSON.stringify(result)}`);
    }
    return { isError: true, structured: toolErrorBody(text), text };
  }
  return { isError: false, structured: (result.structuredContent ?? {}) as Record<string, unknown>, text };
}

/** Calls a tool and returns its structured result; fails the test on a JSON-RPC error. */
export async function callTool(
  apiKey: string,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolCall> {
  const { status, body } = await mcpRequest(apiKey, "tools/call", { name, arguments: args });
  if (status !== 200 || body.error !== undefined || body.result === undefined) {
    throw new Error(`tools/call ${name} failed: ${status} ${JSON.stringify(body)}`);
  }
  return toolCallOf(body.result as Parameters<typeof toolCallOf>[0]);
}

/** The `{code, message, path?}` of a failed tool call (from its text: errors carry no structuredContent). */
export function toolErrorOf(call: ToolCall): { code: string; message: string; path?: string } {
  if (!call.isError) throw new Error(`expected an error, got ${JSON.stringify(call.structured)}`);
  return (call.structured as { error: { code: string; message: string; path?: string } }).error;
}
