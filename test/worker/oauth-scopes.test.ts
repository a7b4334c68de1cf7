/**
 * OAuth scopes per MCP tool (worker/mcp/tool-scopes.ts, docs/auth.md "Scopes"): every tool has a
 * scope, a token granted fewer scopes is refused the others with `auth.insufficient_scope`
 * naming the missing one, and an API key holds them all.
 */
import { describe, expect, it } from "vitest";
import { TOOLS } from "../../worker/mcp/server.ts";
import { TOOL_SCOPES } from "../../worker/mcp/tool-scopes.ts";
import { ALL_SCOPES } from "../../worker/oauth/scopes.ts";
import { newTenant } from "./support/clients.ts";
import { grantWithKey, toolCallError } from "./support/oauth-client.ts";

const HELLO = `name: "scopes:hello"
description: "One message"
version: "1.0.0"
steps:
  - id: "say"
    type: "user_message"
    message: "hello"
`;

describe("scopes per tool", () => {
  it("gives every tool in TOOLS a known scope, and names no tool that is gone", () => {
    for (const tool of TOOLS) {
      expect(ALL_SCOPES, `scope of ${tool.name}`).toContain(TOOL_SCOPES[tool.name]);
    }
    expect(Object.keys(TOOL_SCOPES).sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
  });

  it("lets a runs:read token read and refuses it publishing and driving, naming the scope", async () => {
    const { apiKey } = await newTenant("sc");
    const { tokens } = await grantWithKey(apiKey, ["runs:read"]);
    expect(tokens.scope).toBe("runs:read");
    expect(await toolCallError(tokens.access_token, "workflow_list")).toBeNull();
    const publish = await toolCallError(tokens.access_token, "workflow_publish", { yaml: HELLO });
    expect(publish?.code).toBe("auth.insufficient_scope");
    expect(publish?.message).toContain('workflow_publish needs the OAuth scope "workflows:publish"');
    const start = await toolCallError(tokens.access_token, "workflow_start", { workflow: "scopes:hello" });
    expect(start?.code).toBe("auth.insufficient_scope");
    expect(start?.message).toContain('"runs:drive"');
  });

  it("lets a token with every scope publish and start, like an API key", async () => {
    const { apiKey } = await newTenant("sc");
    const { tokens } = await grantWithKey(apiKey);
    expect(tokens.scope.split(" ").sort()).toEqual([...ALL_SCOPES].sort());
    expect(await toolCallError(tokens.access_token, "workflow_publish", { yaml: HELLO })).toBeNull();
    expect(
      await toolCallError(tokens.access_token, "workflow_start", { workflow: "scopes:hello" }),
    ).toBeNull();
    expect(await toolCallError(apiKey, "workflow_list")).toBeNull();
  });

  it("keeps a runs:drive-only token from publishing", async () => {
    const { apiKey } = await newTenant("sc");
    const { tokens } = await grantWithKey(apiKey, ["runs:drive"]);
    const publish = await toolCallError(tokens.access_token, "service_register", {
      name: "x",
      uses: "http@^1",
      config: {},
    });
    expect(publish?.code).toBe("auth.insufficient_scope");
  });
});
