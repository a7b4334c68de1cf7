/** /mcp as a transport: auth, body limit, malformed JSON-RPC, unknown tools, bad arguments. Never a 500. */
import { describe, expect, it } from "vitest";
import { callTool, mcpRaw, mcpRequest, newTenant, readRpcBody, toolErrorOf } from "./support/clients.ts";

describe("/mcp transport", () => {
  it("lists the tools with input and output schemas", async () => {
    const { apiKey } = await newTenant();
    const { status, body } = await mcpRequest(apiKey, "tools/list");
    expect(status).toBe(200);
    const tools = (
      body.result as {
        tools: { name: string; inputSchema: unknown; outputSchema: unknown; description: string }[];
      }
    ).tools;
    expect(tools.map((tool) => tool.name)).toContain("workflow_list");
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ type: "object" });
      expect(tool.outputSchema).toMatchObject({ type: "object" });
      expect(tool.description.length).toBeGreaterThan(60);
    }
    // the schemas are converted once per isolate: a second listing is the same, whole
    const again = await mcpRequest(apiKey, "tools/list");
    expect(again.body.result).toEqual(body.result);
    const publish = tools.find((tool) => tool.name === "workflow_publish");
    expect(publish?.inputSchema).toMatchObject({ properties: { yaml: { type: "string" } } });
  });

  it("answers 401 auth.missing_key without a key, with a WWW-Authenticate challenge", async () => {
    const res = await mcpRaw(null, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth.missing_key");
  });

  it("answers 401 auth.invalid_key for malformed, forged and unknown-tenant keys", async () => {
    const { apiKey } = await newTenant();
    const forged = `${apiKey.slice(0, -4)}AAAA`;
    const otherTenant = apiKey.replace(/^efk_[^_]+_/, "efk_no-such-tenant_");
    for (const key of ["not-a-key", forged, otherTenant]) {
      const res = await mcpRaw(key, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth.invalid_key");
    }
  });

  it("lets a CORS preflight through without a key", async () => {
    const res = await mcpRaw(null, "", {});
    expect(res.status).not.toBe(500);
    const preflight = await (await import("cloudflare:test")).SELF.fetch("http://edgeflow.test/mcp", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("answers 413 request.too_large above 1 MiB, declared or streamed", async () => {
    const { apiKey } = await newTenant();
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_validate", arguments: { yaml: "x".repeat(1024 * 1024 + 10) } },
    });
    const res = await mcpRaw(apiKey, big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("request.too_large");

    const stream = new Blob([big]).stream();
    const streamed = await (await import("cloudflare:test")).SELF.fetch("http://edgeflow.test/mcp", {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("answers malformed JSON with a 400 JSON-RPC parse error", async () => {
    const { apiKey } = await newTenant();
    const res = await mcpRaw(apiKey, "{not json");
    expect(res.status).toBe(400);
    const body = await readRpcBody(res);
    expect(body.error?.code).toBe(-32700);
  });

  it("answers a message that is not JSON-RPC with a 4xx JSON-RPC error", async () => {
    const { apiKey } = await newTenant();
    const res = await mcpRaw(apiKey, JSON.stringify({ hello: "world" }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await readRpcBody(res)).error).toBeDefined();
  });

  it("never answers 500 to odd but well-formed traffic", async () => {
    const { apiKey } = await newTenant();
    const bodies = [
      JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/list" }]),
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "workflow_list" } }),
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: "nope" }),
      JSON.stringify(null),
      "",
    ];
    for (const body of bodies) {
      const res = await mcpRaw(apiKey, body);
      expect([body, res.status < 500]).toEqual([body, true]);
    }
    const wrongType = await mcpRaw(apiKey, JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list" }), {
      "content-type": "text/plain",
    });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
  });

  it("answers an unknown tool with a JSON-RPC invalid-params error", async () => {
    const { apiKey } = await newTenant();
    const { status, body } = await mcpRequest(apiKey, "tools/call", {
      name: "workflow_explode",
      arguments: {},
    });
    expect(status).toBe(200);
    expect(body.error?.code).toBe(-32602);
    expect(body.error?.message).toContain("workflow_explode");
  });

  it("answers an unknown method with method-not-found", async () => {
    const { apiKey } = await newTenant();
    const { body } = await mcpRequest(apiKey, "workflows/teleport");
    expect(body.error?.code).toBe(-32601);
  });

  it("answers wrong argument types with isError input.invalid naming the path", async () => {
    const { apiKey } = await newTenant();
    const call = await callTool(apiKey, "workflow_get_info", { workflow: 42 });
    expect(toolErrorOf(call)).toEqual({
      code: "input.invalid",
      message: expect.any(String),
      path: "workflow",
    });
    const extra = await callTool(apiKey, "workflow_list", { surprise: true });
    expect(toolErrorOf(extra).code).toBe("input.invalid");
    expect(JSON.parse(extra.text)).toEqual(extra.structured);
  });

  it("answers GET /mcp (no sessions in stateless mode) with 405, not 500", async () => {
    const { apiKey } = await newTenant();
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("http://edgeflow.test/mcp", {
      headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" },
    });
    expect(res.status).toBe(405);
  });

  it("answers unknown routes with 404 route.not_found", async () => {
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch("http://edgeflow.test/nowhere");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route.not_found");
  });
});
