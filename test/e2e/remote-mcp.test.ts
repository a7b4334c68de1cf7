/**
 * End to end over real HTTP: `wrangler dev` on a free port, a tenant made through /admin, a
 * workflow driven to completion by the official MCP SDK client, and the MCP Inspector CLI
 * listing the tools of the same server.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

const WORKFLOW = `name: "e2e:hello"
description: "Says hello, asks for a number, reports on it"
version: "1.0.0"
inputs:
  name:
    type: "string"
    description: "Who to greet"
default_state:
  state:
    n: 0
steps:
  - id: "greet"
    type: "user_message"
    message: "Hello {{ inputs.name }}"
  - id: "ask"
    type: "mcp_call"
    tool: "pick_number"
    state_update:
      path: "this.n"
      value: "{{ result.n }}"
  - id: "report"
    type: "user_message"
    message: "You picked {{ this.n }}"
`;

let server: DevServer;
let apiKey: string;

beforeAll(async () => {
  server = await startWranglerDev();
  const res = await fetch(`${server.baseUrl}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "e2e" }),
  });
  expect(res.status).toBe(201);
  apiKey = ((await res.json()) as { apiKey: string }).apiKey;
});

afterAll(async () => {
  await server?.stop();
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "edgeflow-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  await client.connect(transport);
  return client;
}

interface Structured {
  [key: string]: unknown;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Structured> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Structured;
}

describe("remote MCP over wrangler dev", () => {
  it("drives a workflow from publish to completed with the SDK client", async () => {
    const client = await connect();
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining([
          "workflow_publish",
          "workflow_start",
          "workflow_get_next_step",
          "workflow_step_complete",
        ]),
      );

      expect(await call(client, "workflow_publish", { yaml: WORKFLOW })).toMatchObject({
        workflow: "e2e:hello",
      });
      const started = await call(client, "workflow_start", {
        workflow: "e2e:hello",
        inputs: { name: "Ada" },
      });
      const workflowId = started.workflow_id as string;

      const seen: string[] = [];
      for (let turn = 0; turn < 10; turn += 1) {
        const next = await call(client, "workflow_get_next_step", { workflow_id: workflowId });
        if (next.status === "completed") break;
        expect(next.status).toBe("steps");
        for (const step of next.steps as { id: string; type: string; definition: { message?: string } }[]) {
          seen.push(step.definition.message ?? step.id);
          if (step.type !== "user_message") {
            await call(client, "workflow_step_complete", {
              workflow_id: workflowId,
              step_id: step.id,
              result: { n: 7 },
            });
          }
        }
      }
      expect(seen).toEqual(["Hello Ada", "ask", "You picked 7"]);
      const status = await call(client, "workflow_get_status", { workflow_id: workflowId });
      expect(status).toMatchObject({ status: "completed", state: { state: { n: 7 } } });
    } finally {
      await client.close();
    }
  });

  it("answers a wrong key with 401 before MCP is reached", async () => {
    const res = await fetch(`${server.baseUrl}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer efk_e2e_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      },
      body: "{}",
    });
    expect(res.status).toBe(401);
  });

  it("serves the MCP Inspector CLI (tools/list)", async () => {
    const inspector = join(
      root,
      "node_modules",
      "@modelcontextprotocol",
      "inspector",
      "clients",
      "launcher",
      "build",
      "index.js",
    );
    const { stdout } = await run(
      process.execPath,
      [
        inspector,
        "--cli",
        `${server.baseUrl}/mcp`,
        "--transport",
        "http",
        "--header",
        `Authorization: Bearer ${apiKey}`,
        "--method",
        "tools/list",
      ],
      { cwd: root, timeout: 60_000 },
    );
    const listed = JSON.parse(stdout) as { tools: { name: string }[] };
    // Every tool edgeflow has; arrayContaining, so a tool added by another feature does not break this one.
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(
      expect.arrayContaining([
        "workflow_cancel",
        "workflow_events",
        "workflow_get_info",
        "workflow_get_next_step",
        "workflow_get_status",
        "workflow_list",
        "workflow_list_active",
        "workflow_list_subscriptions",
        "workflow_publish",
        "workflow_start",
        "workflow_state_read",
        "workflow_state_update",
        "workflow_step_complete",
        "workflow_subscribe_events",
        "workflow_unsubscribe",
        "workflow_validate",
      ]),
    );
  });
});
