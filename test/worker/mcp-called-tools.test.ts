/**
 * Issue 16: a `/mcp` body of nothing but `tools/call`s gets a server with only the tools it calls
 * (worker/mcp/server.ts, `toolsServing`): the per-request server no longer registers every tool and
 * its schemas. What a client sees does not change: a called tool works, an unknown name in a batch
 * beside a known one is answered as unknown, a body naming no known tool gets every tool (the SDK's
 * own "unknown tool" answer), and `tools/list` still lists them all.
 */

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createEdgeflowServer, TOOLS, toolsServing } from "../../worker/mcp/server.ts";
import { ALL_SCOPES } from "../../worker/oauth/scopes.ts";
import { installedPlugins } from "../../worker/plugins/installed-plugins.ts";
import { callTool, mcpRaw, mcpRequest, newTenant } from "./support/clients.ts";

describe("the tools a /mcp request's server holds", () => {
  it("only those its tools/calls name; all of them when it names none we know, or calls nothing", () => {
    expect(toolsServing(["workflow_list"]).map((tool) => tool.name)).toEqual(["workflow_list"]);
    expect(toolsServing(["workflow_list", "workflow_explode"]).map((tool) => tool.name)).toEqual([
      "workflow_list",
    ]);
    expect(toolsServing(["workflow_explode"])).toBe(TOOLS);
    expect(toolsServing(undefined)).toBe(TOOLS);
  });

  it("builds a server holding just the called tool", () => {
    const scope = {
      env,
      tenant: "t",
      audit: { actor: "key:0000000000000000" as const },
      plugins: installedPlugins(),
    };
    const registered = (calls?: string[]) =>
      Object.keys(
        (createEdgeflowServer(scope, ALL_SCOPES, calls) as unknown as RegisteredTools)._registeredTools,
      );
    expect(registered(["workflow_get_next_step"])).toEqual(["workflow_get_next_step"]);
    expect(registered()).toHaveLength(TOOLS.length);
  });

  it("answers a called tool, and an unknown one beside it in a batch, as a full server would", async () => {
    const { apiKey } = await newTenant("called-tools");
    expect((await callTool(apiKey, "workflow_list")).isError).toBe(false);
    const res = await mcpRaw(
      apiKey,
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "workflow_list", arguments: {} } },
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "workflow_explode", arguments: {} } },
      ]),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    const answers = (text.startsWith("[") ? JSON.parse(text) : sseMessages(text)) as {
      id: number;
      result?: { isError?: boolean };
      error?: { code: number; message: string };
    }[];
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    expect(answers, text).toHaveLength(2);
    expect(byId.get(1)?.result).toBeDefined();
    expect(byId.get(1)?.result?.isError ?? false).toBe(false);
    expect(byId.get(2)?.error?.code).toBe(-32602);
    expect(byId.get(2)?.error?.message).toContain("workflow_explode");
  });

  it("still lists every tool", async () => {
    const { apiKey } = await newTenant("called-tools");
    const { body } = await mcpRequest(apiKey, "tools/list", {});
    expect(body.result?.tools).toHaveLength(TOOLS.length);
  });
});

/** The SDK server's own record of its tools (a private field, read only to count them). */
interface RegisteredTools {
  _registeredTools: Record<string, unknown>;
}

function sseMessages(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .filter((line) => line !== "")
    .flatMap((line) => {
      const parsed: unknown = JSON.parse(line);
      return Array.isArray(parsed) ? parsed : [parsed];
    });
}
