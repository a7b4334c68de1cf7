/**
 * @module
 * The client recipes of README.md's "Connecting an MCP client", read from the README itself so the
 * client matrix connects exactly as a reader would: Claude Code's `claude mcp add` line (its URL
 * and header), Cursor's `mcp.json` entry (url and headers), and the desktop `mcp-remote` entry
 * (command, args, env). Each is bound to a running server's URL and a tenant key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const README = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
const DOCUMENTED_URL = "http://127.0.0.1:8787/mcp";
const FENCE = "```";

/** Where a client connects and the headers it sends. */
export interface HttpRecipe {
  url: string;
  headers: Record<string, string>;
}

/** A stdio server entry of a desktop client's configuration. */
export interface StdioRecipe {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The body of the first fenced block of `language` under the `### heading` of the README. */
function blockUnder(heading: string, language: string): string {
  const start = README.indexOf(`\n### ${heading}\n`);
  if (start < 0) throw new Error(`README has no "### ${heading}" section`);
  const end = README.indexOf("\n#", start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  const block = new RegExp(`${FENCE}${language}\\n([\\s\\S]*?)\\n${FENCE}`).exec(section);
  if (block?.[1] === undefined) throw new Error(`README "### ${heading}" has no \`\`\`${language} block`);
  return block[1];
}

function atServer(url: string, serverUrl: string): string {
  if (url !== DOCUMENTED_URL) throw new Error(`a recipe names ${url}, not ${DOCUMENTED_URL}`);
  return `${serverUrl}/mcp`;
}

/** `claude mcp add --transport http <name> <url> --header "Name: value"`, `$KEY` filled in. */
export function claudeCodeRecipe(serverUrl: string, apiKey: string): HttpRecipe {
  const command = blockUnder("Claude Code", "sh").replace(/\\\n\s*/g, " ");
  const parsed = /^claude mcp add --transport http (\S+) (\S+) --header "([^:"]+): ([^"]+)"$/.exec(
    command.trim(),
  );
  if (parsed === null) throw new Error(`unexpected Claude Code recipe: ${command}`);
  const [, , url = "", name = "", value = ""] = parsed;
  return { url: atServer(url, serverUrl), headers: { [name]: value.replace("$KEY", apiKey) } };
}

/** Cursor's `mcpServers.edgeflow` entry, `${env:EDGEFLOW_KEY}` filled in. */
export function cursorRecipe(serverUrl: string, apiKey: string): HttpRecipe {
  const config = JSON.parse(blockUnder("Cursor", "json")) as {
    mcpServers: { edgeflow: { url: string; headers: Record<string, string> } };
  };
  const { url, headers } = config.mcpServers.edgeflow;
  const filled = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, value.replace(/\$\{env:EDGEFLOW_KEY\}/, apiKey)]),
  );
  return { url: atServer(url, serverUrl), headers: filled };
}

/** The desktop clients' `mcp-remote` entry, its URL the server's and the key in its `env`. */
export function mcpRemoteRecipe(serverUrl: string, apiKey: string): StdioRecipe {
  const config = JSON.parse(blockUnder("Desktop clients through mcp-remote", "json")) as {
    mcpServers: { edgeflow: StdioRecipe };
  };
  const { command, args, env } = config.mcpServers.edgeflow;
  return {
    command,
    args: args.map((arg) => (arg === DOCUMENTED_URL ? atServer(arg, serverUrl) : arg)),
    env: Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, value.replace("efk_demo_...", apiKey)]),
    ),
  };
}
