/**
 * /mcp refuses a browser request from an origin or to a host the deployment has not allowed (DNS
 * rebinding, MCP transport security), with 403 before any tool runs; EDGEFLOW_MCP_ALLOWED_ORIGINS
 * and EDGEFLOW_MCP_ALLOWED_HOSTS change which ones (worker/middleware/mcp-rebinding-guard.ts).
 */
import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import worker from "../../worker/index.ts";
import { newTenant } from "./support/clients.ts";

const MCP = "https://edgeflow.example/mcp";
let apiKey: string;

beforeAll(async () => {
  ({ apiKey } = await newTenant("rebind"));
});

/** `tools/list` at `url` with the tenant's key, an optional Origin, under `settings`. */
async function listTools(
  url: string,
  origin: string | null,
  settings: Pick<Env, "EDGEFLOW_MCP_ALLOWED_HOSTS" | "EDGEFLOW_MCP_ALLOWED_ORIGINS"> = {},
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    // as on the wire: a Request built here carries no Host of its own
    host: new URL(url).host,
    authorization: `Bearer ${apiKey}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
  };
  if (origin !== null) headers.origin = origin;
  const request = new Request(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  const res = await worker.fetch(request, { ...env, ...settings }, createExecutionContext());
  return { status: res.status, body: await res.text() };
}

describe("/mcp host and origin guard", () => {
  it("by default, refuses a foreign Origin and accepts localhost origins and origin-less clients", async () => {
    const foreign = await listTools(MCP, "http://evil.example.com");
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain("Invalid Origin: evil.example.com");
    expect((await listTools(MCP, "http://localhost:6274")).status).toBe(200);
    expect((await listTools(MCP, null)).status).toBe(200);
  });

  it("accepts the origins EDGEFLOW_MCP_ALLOWED_ORIGINS lists (URLs or hostnames), and only those", async () => {
    const settings = { EDGEFLOW_MCP_ALLOWED_ORIGINS: " https://App.Example.com:8443 , console.example.net" };
    for (const origin of ["https://app.example.com", "https://console.example.net"]) {
      expect((await listTools(MCP, origin, settings)).status).toBe(200);
    }
    // a set list replaces the defaults: localhost is no longer implied
    expect((await listTools(MCP, "http://localhost:6274", settings)).status).toBe(403);
    expect((await listTools(MCP, "https://evil.example.com", settings)).status).toBe(403);
  });

  it("accepts any origin when EDGEFLOW_MCP_ALLOWED_ORIGINS is *", async () => {
    const settings = { EDGEFLOW_MCP_ALLOWED_ORIGINS: "*" };
    expect((await listTools(MCP, "https://anything.example", settings)).status).toBe(200);
  });

  it("refuses a Host that EDGEFLOW_MCP_ALLOWED_HOSTS does not list", async () => {
    const settings = { EDGEFLOW_MCP_ALLOWED_HOSTS: "mcp.example.com" };
    const other = await listTools(MCP, null, settings);
    expect(other.status).toBe(403);
    expect(other.body).toContain("Invalid Host: edgeflow.example");
    expect((await listTools("https://mcp.example.com/mcp", null, settings)).status).toBe(200);
  });

  it("treats a blank setting as unset", async () => {
    const settings = { EDGEFLOW_MCP_ALLOWED_HOSTS: " , ", EDGEFLOW_MCP_ALLOWED_ORIGINS: "" };
    expect((await listTools(MCP, "http://localhost:6274", settings)).status).toBe(200);
    expect((await listTools(MCP, "https://evil.example.com", settings)).status).toBe(403);
  });
});
