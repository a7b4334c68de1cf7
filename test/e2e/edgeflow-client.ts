/**
 * A small HTTP client for a running edgeflow (end-to-end tests and benchmarks): admin calls
 * (tenants, secrets) and MCP `tools/call` over stateless Streamable HTTP, answering the tool's
 * `structuredContent` or throwing with the tool's error.
 */

export interface EdgeflowClient {
  baseUrl: string;
  apiKey: string;
  tenant: string;
  tool(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  setSecret(name: string, value: string): Promise<void>;
}

/** Creates tenant `tenant` with the admin token and returns a client holding its first key. */
export async function createTenantClient(
  baseUrl: string,
  adminToken: string,
  tenant: string,
): Promise<EdgeflowClient> {
  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const created = await admin("POST", "/admin/tenants", { id: tenant });
  if (created.status !== 201)
    throw new Error(`creating tenant ${tenant}: ${created.status} ${await created.text()}`);
  const apiKey = ((await created.json()) as { apiKey: string }).apiKey;
  let id = 0;
  return {
    baseUrl,
    apiKey,
    tenant,
    async tool(name, args = {}) {
      const res = await fetch(`${baseUrl}/mcp`, {
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
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${text.slice(0, 200)}`);
      const json = res.headers.get("content-type")?.includes("text/event-stream")
        ? text
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("")
        : text;
      const message = JSON.parse(json) as {
        result?: { isError?: boolean; structuredContent?: Record<string, unknown> };
      };
      if (!message.result || message.result.isError) throw new Error(`${name}: ${json.slice(0, 400)}`);
      return message.result.structuredContent ?? {};
    },
    async setSecret(name, value) {
      const res = await admin("PUT", `/admin/tenants/${tenant}/secrets/${name}`, { value });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`secret ${name}: ${res.status} ${await res.text()}`);
    },
  };
}

/** Polls `check` every 25 ms until it returns a value (not undefined), for up to `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
