/**
 * @module
 * The five MCP clients of the client matrix, each making a list of tool calls and answering what
 * it showed for each: the result (`isError`, `structuredContent`, text) or what it threw instead.
 * Every client lists the tools first, as a host does: that is when the SDK clients learn each
 * tool's output schema, which they then check results against.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpTransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { MatrixCall } from "./matrix-calls.ts";
import { PYTHON_CLIENT } from "./python-mcp.ts";
import type { HttpRecipe, StdioRecipe } from "./readme-recipes.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const CLIENT_INFO = { name: "edgeflow-client-matrix", version: "1.0.0" };

/** What a client showed for one call. */
export type Outcome = { isError: boolean; structuredContent: unknown; text: string } | { thrown: string };

interface SdkResult {
  isError?: boolean;
  structuredContent?: unknown;
  content?: unknown;
}

function outcomeOf(result: SdkResult): Outcome {
  const content = Array.isArray(result.content) ? (result.content as { type?: string; text?: string }[]) : [];
  const text = content
    .filter((part) => part.type === "text")
    .map((part) => part.text ?? "")
    .join("");
  return { isError: result.isError === true, structuredContent: result.structuredContent, text };
}

function thrown(error: unknown): Outcome {
  return { thrown: error instanceof Error ? error.message : String(error) };
}

/** Lists the tools, then makes each call in order with one connected client. */
async function callAll(
  client: {
    listTools(): Promise<unknown>;
    callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  },
  calls: readonly MatrixCall[],
): Promise<Outcome[]> {
  await client.listTools();
  const outcomes: Outcome[] = [];
  for (const call of calls) {
    try {
      outcomes.push(
        outcomeOf((await client.callTool({ name: call.tool, arguments: call.args })) as SdkResult),
      );
    } catch (error) {
      outcomes.push(thrown(error));
    }
  }
  return outcomes;
}

/** `@modelcontextprotocol/sdk` 1.x (the client most hosts embed, Claude Code among them). */
export async function sdkV1(recipe: HttpRecipe, calls: readonly MatrixCall[]): Promise<Outcome[]> {
  const client = new ClientV1(CLIENT_INFO);
  await client.connect(
    new HttpTransportV1(new URL(recipe.url), { requestInit: { headers: recipe.headers } }),
  );
  try {
    return await callAll(client, calls);
  } finally {
    await client.close();
  }
}

/** `@modelcontextprotocol/client` 2.x. */
export async function sdkV2(recipe: HttpRecipe, calls: readonly MatrixCall[]): Promise<Outcome[]> {
  const client = new ClientV2(CLIENT_INFO);
  await client.connect(
    new HttpTransportV2(new URL(recipe.url), { requestInit: { headers: recipe.headers } }),
  );
  try {
    return await callAll(client, calls);
  } finally {
    await client.close();
  }
}

/**
 * `mcp-remote` as a desktop client starts it (the README's command, args and env), driven over
 * stdio by the SDK v1 client. Its state folder is a temporary one, removed afterwards.
 */
export async function mcpRemote(recipe: StdioRecipe, calls: readonly MatrixCall[]): Promise<Outcome[]> {
  const configDir = mkdtempSync(join(tmpdir(), "edgeflow-mcp-remote-"));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const transport = new StdioClientTransport({
    command: recipe.command,
    args: recipe.args,
    env: { ...inherited, ...recipe.env, MCP_REMOTE_CONFIG_DIR: configDir },
    cwd: root,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new ClientV1(CLIENT_INFO);
  try {
    await client.connect(transport);
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    throw new Error(`mcp-remote did not connect: ${(error as Error).message}\n${stderr.slice(-2000)}`);
  }
  try {
    return await callAll(client, calls);
  } finally {
    await client.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** The MCP Inspector CLI, one process per call (`--method tools/call`), as the README runs it. */
export async function inspector(url: string, apiKey: string, call: MatrixCall): Promise<Outcome> {
  const launcher = join(
    root,
    "node_modules",
    "@modelcontextprotocol",
    "inspector",
    "clients",
    "launcher",
    "build",
    "index.js",
  );
  const toolArgs = Object.entries(call.args).flatMap(([name, value]) => [
    "--tool-arg",
    `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`,
  ]);
  const argv = [
    launcher,
    "--cli",
    url,
    "--transport",
    "http",
    "--header",
    `Authorization: Bearer ${apiKey}`,
    "--method",
    "tools/call",
    "--tool-name",
    call.tool,
    ...toolArgs,
  ];
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, argv, {
      cwd: root,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    // a tool error exits with status 5 after printing the result
    const failed = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (failed.code !== 5 || failed.stdout === undefined) {
      // the message repeats the command line: the key is not shown
      const said = `${failed.message}\n${(failed.stderr ?? "").slice(0, 1000)}`;
      return { thrown: said.replaceAll(apiKey, "<api key>") };
    }
    stdout = failed.stdout;
  }
  try {
    return outcomeOf(JSON.parse(stdout) as SdkResult);
  } catch {
    return { thrown: `the Inspector printed no result: ${stdout.slice(0, 500)}` };
  }
}

/** The Python SDK client (test/e2e/clients/python_client.py) in the venv `python`. */
export async function pythonSdk(
  python: string,
  recipe: HttpRecipe,
  calls: readonly MatrixCall[],
): Promise<Outcome[]> {
  const request = JSON.stringify({
    url: recipe.url,
    headers: recipe.headers,
    calls: calls.map((call) => ({ name: call.tool, arguments: call.args })),
  });
  const child = run(python, [PYTHON_CLIENT], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  child.child.stdin?.end(request);
  const { stdout } = await child;
  return JSON.parse(stdout) as Outcome[];
}
