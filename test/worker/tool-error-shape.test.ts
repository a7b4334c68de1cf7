/**
 * A failed tool call is a result with `isError: true`, the coded JSON as its text and no
 * `structuredContent`: clients check structured content against the tool's output schema, so an
 * `{error}` there made the SDK v1 client throw a schema error instead of showing the code
 * (test/e2e/client-matrix.test.ts proves it with the clients themselves).
 */
import { describe, expect, it } from "vitest";
import { mcpRequest, newTenant } from "./support/clients.ts";

async function toolResult(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const tenant = await newTenant("error-shape");
  const { status, body } = await mcpRequest(tenant.apiKey, "tools/call", { name, arguments: args });
  expect(status).toBe(200);
  return body.result as Record<string, unknown>;
}

describe("tool errors", () => {
  it("carry the coded error as text and no structuredContent", async () => {
    const result = await toolResult("workflow_get_status", { workflow_id: "wf_000000000000000000000000" });
    expect(result.isError).toBe(true);
    expect(result).not.toHaveProperty("structuredContent");
    const [content] = result.content as { type: string; text: string }[];
    expect(content?.type).toBe("text");
    expect(JSON.parse(content?.text ?? "")).toMatchObject({
      error: { code: "run.not_found", message: expect.any(String) },
    });
  });

  it("keep a workflow's problems, with line and column, in the same text", async () => {
    const result = await toolResult("workflow_publish", {
      yaml: 'name: "x:y"\nversion: "1.0.0"\nsteps: 7\n',
    });
    expect(result.isError).toBe(true);
    expect(result).not.toHaveProperty("structuredContent");
    const body = JSON.parse((result.content as { text: string }[])[0]?.text ?? "");
    expect(body.error.code).toBe("workflow.invalid");
    expect(body.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });
});
