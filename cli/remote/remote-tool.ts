/**
 * @module
 * One MCP tool call from the CLI to a running edgeflow: a JSON-RPC `tools/call` POSTed to `/mcp`
 * (stateless Streamable HTTP) with the tenant key as a bearer token, the answer read as JSON or as
 * a server-sent event stream. A tool's own error (`isError`, coded JSON text) comes back as
 * `{ok: false, code, message}`; a transport or protocol failure throws. No retries: export and
 * import are one call each, and the user sees the failure.
 */

export interface RemoteOptions {
  /** `http(s)://host[:port]`, with or without a trailing `/mcp` */
  url: string;
  key: string;
  fetch?: typeof fetch;
}

export type RemoteAnswer =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: string; message: string };

/** The request `callRemoteTool` sends, apart from the transport (exported for tests). */
export function toolCallRequest(
  options: RemoteOptions,
  name: string,
  args: Record<string, unknown>,
): Request {
  return new Request(`${options.url.replace(/\/+$/, "").replace(/\/mcp$/, "")}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${options.key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
}

export async function callRemoteTool(
  options: RemoteOptions,
  name: string,
  args: Record<string, unknown>,
): Promise<RemoteAnswer> {
  const res = await (options.fetch ?? fetch)(toolCallRequest(options, name, args));
  const text = await res.text();
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${errorText(text)}`);
  const message = (res.headers.get("content-type") ?? "").includes("text/event-stream")
    ? lastEventData(text)
    : text;
  const parsed = JSON.parse(message) as {
    error?: { message?: string };
    result?: {
      isError?: boolean;
      structuredContent?: Record<string, unknown>;
      content?: { text?: string }[];
    };
  };
  if (parsed.result === undefined) throw new Error(`${name}: ${parsed.error?.message ?? "no result"}`);
  if (parsed.result.isError !== true) return { ok: true, value: parsed.result.structuredContent ?? {} };
  const body = JSON.parse(parsed.result.content?.[0]?.text ?? "{}") as {
    error?: { code?: string; message?: string };
  };
  return { ok: false, code: body.error?.code ?? "unknown", message: body.error?.message ?? "" };
}

/** An HTTP error body: its coded message when it is edgeflow's JSON, else its start. */
function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code !== undefined) return `${body.error.code}: ${body.error.message ?? ""}`;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

function lastEventData(stream: string): string {
  const data = stream
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim());
  return data.at(-1) ?? "";
}
