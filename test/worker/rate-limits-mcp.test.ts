/**
 * The `mcp` rate limits on `POST /mcp`, charged in the key check (one DO call): a burst of five
 * times the limit of `tools/call`s gets the coded tool error `ratelimit.exceeded` with
 * `retry_after_ms` (and the RateLimit headers), any other JSON-RPC method an HTTP 429; every
 * admitted call took effect; per-key limits are independent; the count survives an eviction.
 */

import { evictDurableObject, SELF } from "cloudflare:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  adminFetch,
  BASE,
  callTool,
  mcpRaw,
  newTenant,
  readRpcBody,
  type ToolCall,
  toolCallOf,
  toolErrorOf,
} from "./support/clients.ts";
import { advanceClock, freezeInWindow, rateLimitHeadersOf, setSettings } from "./support/rate-limits.ts";
import { tenantObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

let rpcId = 0;

/** A raw `tools/call`: the HTTP answer's headers and the tool result. */
async function rawToolCall(apiKey: string, name: string, args: Record<string, unknown> = {}) {
  rpcId += 1;
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({ jsonrpc: "2.0", id: rpcId, method: "tools/call", params: { name, arguments: args } }),
  );
  const body = await readRpcBody(res);
  const call: ToolCall = toolCallOf(body.result as Parameters<typeof toolCallOf>[0]);
  return { status: res.status, headers: res.headers, call };
}

async function newKey(tenant: string): Promise<string> {
  const res = await adminFetch(`/admin/tenants/${tenant}/keys`, { method: "POST", body: "{}" });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

describe("POST /mcp", () => {
  it("a burst of five times the limit: coded tool errors with retry_after_ms, every admitted start took effect", async () => {
    const limit = 4;
    const tenant = await newTenant("rl-mcp");
    await callTool(tenant.apiKey, "workflow_publish", { yaml: GREET });
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: limit });
    freezeInWindow(1);
    const answers = [];
    for (let i = 0; i < limit * 5; i += 1) {
      answers.push(
        await rawToolCall(tenant.apiKey, "workflow_start", {
          workflow: "demo:greet",
          inputs: { name: `n${i}` },
        }),
      );
    }
    const started = answers.filter((answer) => !answer.call.isError);
    const refused = answers.filter((answer) => answer.call.isError);
    expect(started).toHaveLength(limit);
    expect(refused).toHaveLength(limit * 4);
    for (const answer of refused) {
      expect(answer.status).toBe(200);
      expect(toolErrorOf(answer.call)).toMatchObject({ code: "ratelimit.exceeded", retry_after_ms: 59_000 });
      expect(rateLimitHeadersOf(answer.headers)).toEqual({
        "retry-after": "59",
        "ratelimit-policy": `"mcp";q=${limit};w=60`,
        ratelimit: '"mcp";r=0;t=59',
      });
    }
    expect(rateLimitHeadersOf(started[1]!.headers).ratelimit).toBe('"mcp";r=2;t=59');

    // Any other method is refused before the JSON-RPC layer.
    const listed = await mcpRaw(
      tenant.apiKey,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    );
    expect(listed.status).toBe(429);
    expect(await listed.json()).toMatchObject({
      error: { code: "ratelimit.exceeded", retry_after_ms: 59_000 },
    });
    expect(rateLimitHeadersOf(listed.headers)["retry-after"]).toBe("59");

    advanceClock(60_000);
    const active = await callTool(tenant.apiKey, "workflow_list_active");
    const ids = (active.structured.workflows as { workflow_id: string }[])
      .map((run) => run.workflow_id)
      .sort();
    expect(ids).toEqual(started.map((answer) => String(answer.call.structured.workflow_id)).sort());
  });

  it("concurrent calls are counted exactly: the DO admits the limit and no more", async () => {
    const tenant = await newTenant("rl-mcp-concurrent");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 5 });
    freezeInWindow(1);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => rawToolCall(tenant.apiKey, "workflow_list")),
    );
    expect(answers.filter((answer) => !answer.call.isError)).toHaveLength(5);
  });

  it("per-key limits of two keys of one tenant are independent", async () => {
    const tenant = await newTenant("rl-mcp-keys");
    const second = await newKey(tenant.id);
    await setSettings(tenant.id, { rate_limit_mcp_per_key_per_minute: 2 });
    freezeInWindow(1);
    for (let i = 0; i < 2; i += 1)
      expect((await rawToolCall(tenant.apiKey, "workflow_list")).call.isError).toBe(false);
    const refused = await rawToolCall(tenant.apiKey, "workflow_list");
    expect(toolErrorOf(refused.call).code).toBe("ratelimit.exceeded");
    expect(rateLimitHeadersOf(refused.headers)["ratelimit-policy"]).toBe('"mcp-key";q=2;w=60');
    for (let i = 0; i < 2; i += 1)
      expect((await rawToolCall(second, "workflow_list")).call.isError).toBe(false);
    expect((await rawToolCall(second, "workflow_list")).call.isError).toBe(true);
  });

  it("the count survives an eviction of the tenant's DO", async () => {
    const tenant = await newTenant("rl-mcp-evict");
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 3 });
    freezeInWindow(5);
    for (let i = 0; i < 3; i += 1)
      expect((await rawToolCall(tenant.apiKey, "workflow_list")).call.isError).toBe(false);
    await evictDurableObject(tenantObject(tenant.id));
    const after = await rawToolCall(tenant.apiKey, "workflow_list");
    expect(toolErrorOf(after.call)).toMatchObject({ code: "ratelimit.exceeded", retry_after_ms: 55_000 });
  });

  it("the official SDK client reads the refusal as a tool error with the code and retry_after_ms", async () => {
    const tenant = await newTenant("rl-mcp-sdk");
    // connecting costs three units (initialize, notifications/initialized, and the GET the client
    // opens for server messages right after, before its first call completes), each call one
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 4 });
    freezeInWindow(20);
    const client = new Client({ name: "rate-limit-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      fetch: (input, init) => SELF.fetch(input as string, init),
      requestInit: { headers: { authorization: `Bearer ${tenant.apiKey}` } },
    });
    await client.connect(transport);
    const admitted = await client.callTool({ name: "workflow_list", arguments: {} });
    expect(admitted.isError).not.toBe(true);
    const refused = await client.callTool({ name: "workflow_list", arguments: {} });
    expect(refused.isError).toBe(true);
    const text = (refused.content as { type: string; text: string }[])[0]!.text;
    expect(JSON.parse(text)).toMatchObject({
      error: { code: "ratelimit.exceeded", retry_after_ms: 40_000 },
    });
    await client.close();
  });
});
