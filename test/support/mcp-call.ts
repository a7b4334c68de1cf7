/**
 * @module
 * One MCP `tools/call` over stateless Streamable HTTP against a running edgeflow (`wrangler dev`),
 * for the end-to-end tests, the crash test and the benchmarks: a JSON-RPC POST to `/mcp` with a
 * tenant key, the answer read as JSON or as a server-sent event stream. Node only: it uses
 * `fetch`, not the workers pool's `SELF`.
 */
import { firstText, toolErrorBody } from "./tool-error-body.ts";

/** What a tool call answered: its result, or the tool's own error (`ok: false`). */
export interface ToolAnswer {
  ok: boolean;
  /** `structuredContent` of the result; of a tool error, the coded JSON of its text (`{error, ...}`) */
  value: Record<string, unknown>;
  /** the JSON-RPC message as received, for error messages */
  message: string;
}

/** A tool call for one tenant key, answering the tool's result or its error. */
export type ToolCaller = (name: string, args?: Record<string, unknown>) => Promise<ToolAnswer>;

/** A tool call answering `structuredContent`, throwing on a tool error. */
export type StructuredToolCaller = (
  name: string,
  args?: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/**
 * The call got no MCP result: the server could not be reached, did not answer in time, answered
 * an HTTP error, something that is not JSON, or a JSON-RPC error. A tool's own error is a result
 * (`ok: false`), not this.
 */
export class McpCallError extends Error {}

export interface ToolCallerOptions {
  /** abort a call that has not answered after this long (none by default) */
  timeoutMs?: number;
}

/**
 * Calls tools on `/mcp` with `apiKey`, each call with the next JSON-RPC id. `baseUrl` may be a
 * function, for a server that comes back on another port after a restart.
 */
export function toolCaller(
  baseUrl: string | (() => string),
  apiKey: string,
  options: ToolCallerOptions = {},
): ToolCaller {
  const urlOf = typeof baseUrl === "string" ? () => baseUrl : baseUrl;
  let id = 0;
  return async (name, args = {}) => {
    let res: Response;
    try {
      res = await fetch(`${urlOf()}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: ++id,
          method: "tools/call",
          params: { name, arguments: args },
        }),
        ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
      });
    } catch (error) {
      throw new McpCallError(`${name}: ${(error as Error).message}`);
    }
    const text = await res.text().catch(() => "");
    if (!res.ok) throw new McpCallError(`${name}: HTTP ${res.status} ${text.slice(0, 200)}`);
    const message = (res.headers.get("content-type") ?? "").includes("text/event-stream")
      ? lastEventData(text)
      : text;
    let parsed: {
      result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };
    };
    try {
      parsed = JSON.parse(message);
    } catch {
      throw new McpCallError(`${name}: not JSON: ${text.slice(0, 200)}`);
    }
    if (parsed.result === undefined) throw new McpCallError(`${name}: ${message.slice(0, 400)}`);
    if (parsed.result.isError === true) {
      return { ok: false, value: toolErrorBody(firstText(parsed.result)), message };
    }
    return { ok: true, value: parsed.result.structuredContent ?? {}, message };
  };
}

/** Calls tools like `toolCaller`, answering `structuredContent` and throwing on a tool error. */
export function structuredToolCaller(
  baseUrl: string,
  apiKey: string,
  options: ToolCallerOptions = {},
): StructuredToolCaller {
  const call = toolCaller(baseUrl, apiKey, options);
  return async (name, args = {}) => {
    const answer = await call(name, args);
    if (!answer.ok) throw new Error(`${name}: ${answer.message.slice(0, 400)}`);
    return answer.value;
  };
}

/** The data of the last event of a server-sent event stream (its `data:` lines joined). */
function lastEventData(stream: string): string {
  const events = stream
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
        .join("\n"),
    )
    .filter((data) => data !== "");
  return events.at(-1) ?? "";
}
