/**
 * A small HTTP client for a running edgeflow (end-to-end tests and benchmarks): admin calls
 * (tenants, secrets) and MCP `tools/call` (test/support/mcp-call.ts), answering the tool's
 * `structuredContent` or throwing with the tool's error.
 */
import { type StructuredToolCaller, structuredToolCaller } from "../support/mcp-call.ts";

export interface EdgeflowClient {
  baseUrl: string;
  apiKey: string;
  tenant: string;
  /** answers the tool's `structuredContent`, throws with the tool's error */
  tool: StructuredToolCaller;
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
  return {
    baseUrl,
    apiKey,
    tenant,
    tool: structuredToolCaller(baseUrl, apiKey),
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
