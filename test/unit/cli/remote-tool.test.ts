/**
 * The CLI's MCP call (cli/remote/remote-tool.ts) without a server: the request it builds (URL,
 * bearer key, JSON-RPC tools/call) and how it reads a result, a tool error and an event stream.
 */
import { describe, expect, it } from "vitest";
import { parseRemoteArguments } from "../../../cli/commands/remote-arguments.ts";
import { callRemoteTool, toolCallRequest } from "../../../cli/remote/remote-tool.ts";

describe("the CLI's remote tool call", () => {
  it("POSTs a JSON-RPC tools/call to /mcp with the tenant key", async () => {
    const request = toolCallRequest({ url: "http://127.0.0.1:8787/mcp/", key: "k1" }, "workflow_export", {
      workflow: "w",
    });
    expect(request.url).toBe("http://127.0.0.1:8787/mcp");
    expect(request.method).toBe("POST");
    expect(request.headers.get("authorization")).toBe("Bearer k1");
    expect(request.headers.get("accept")).toBe("application/json, text/event-stream");
    expect(await request.json()).toEqual({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_export", arguments: { workflow: "w" } },
    });
  });

  it("reads a result, a coded tool error and a server-sent event stream", async () => {
    const answer = (body: unknown, type = "application/json") =>
      (async () =>
        new Response(
          type === "application/json"
            ? JSON.stringify(body)
            : `event: message\ndata: ${JSON.stringify(body)}\n\n`,
          { headers: { "content-type": type } },
        )) as unknown as typeof fetch;
    const options = { url: "http://x", key: "k" };
    const result = { jsonrpc: "2.0", id: 1, result: { structuredContent: { yaml: "a" } } };
    expect(await callRemoteTool({ ...options, fetch: answer(result) }, "t", {})).toEqual({
      ok: true,
      value: { yaml: "a" },
    });
    expect(await callRemoteTool({ ...options, fetch: answer(result, "text/event-stream") }, "t", {})).toEqual(
      {
        ok: true,
        value: { yaml: "a" },
      },
    );
    const error = {
      result: {
        isError: true,
        content: [{ type: "text", text: '{"error":{"code":"package.malformed","message":"m"}}' }],
      },
    };
    expect(await callRemoteTool({ ...options, fetch: answer(error) }, "t", {})).toEqual({
      ok: false,
      code: "package.malformed",
      message: "m",
    });
    const unauthorized = (async () =>
      new Response('{"error":{"code":"auth.invalid_key","message":"no"}}', {
        status: 401,
      })) as unknown as typeof fetch;
    await expect(callRemoteTool({ ...options, fetch: unauthorized }, "t", {})).rejects.toThrow(
      /401 auth.invalid_key/,
    );
  });

  it("takes --url and --key from the environment unless given", () => {
    const env = { EDGEFLOW_URL: "http://env", EDGEFLOW_KEY: "envkey" };
    expect(parseRemoteArguments(["w", "--format", "json"], ["format"], env)).toEqual({
      positional: ["w"],
      options: { format: "json" },
      url: "http://env",
      key: "envkey",
    });
    expect(parseRemoteArguments(["w", "--key=k"], [], env)).toMatchObject({ key: "k" });
    expect(parseRemoteArguments(["w", "--bogus", "1"], [], env)).toBe("unknown option --bogus");
    expect(parseRemoteArguments(["w"], [], {})).toMatch(/EDGEFLOW_URL/);
  });
});
