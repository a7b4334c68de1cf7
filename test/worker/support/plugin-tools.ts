/**
 * Runs an MCP tool in-process, exactly as the `/mcp` route would for a tenant, but with a plugin
 * catalog of the test's choosing (`TenantScope.plugins`), so tests that publish `services:`,
 * `external_call`, `notify` or `external_state` do not depend on which first-party plugins the
 * platform holds.
 */
import { env } from "cloudflare:test";
import type { PluginCatalog } from "../../../engine/plugins/descriptor.ts";
import { TOOLS } from "../../../worker/mcp/server.ts";
import { runTool } from "../../../worker/mcp/tool-kit.ts";
import { TEST_CATALOG } from "../../support/test-plugin-catalog.ts";
import { type ToolCall, toolCallOf } from "./clients.ts";

export async function callToolWithPlugins(
  tenant: string,
  name: string,
  args: Record<string, unknown> = {},
  plugins: PluginCatalog = TEST_CATALOG,
): Promise<ToolCall> {
  const tool = TOOLS.find((candidate) => candidate.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  const result = await runTool(tool, args, { env, tenant, plugins, audit: { actor: "system" } });
  return toolCallOf(result);
}
