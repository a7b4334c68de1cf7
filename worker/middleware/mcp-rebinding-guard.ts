/**
 * @module
 * Which `Host` and `Origin` hostnames `/mcp` answers, for the DNS-rebinding protection that
 * `createMcpHandler` (agents) runs before MCP is reached: a request naming another hostname gets
 * `403` with a JSON-RPC error. Unset, the library's defaults hold: an `Origin` of `localhost`,
 * `127.0.0.1`, `[::1]` (or the `*.workers.dev` hostname being served) passes, any other is
 * refused, and requests without one (SDK clients, CLIs) pass; `Host` is not pinned. A
 * deployment widens or narrows that with two comma-separated lists (docs/runtime.md):
 * `EDGEFLOW_MCP_ALLOWED_HOSTS` and `EDGEFLOW_MCP_ALLOWED_ORIGINS` (`*` = any origin). A set
 * list replaces the defaults. This module only reads the settings; it never answers a request.
 */
import type { Env } from "../env.ts";

export interface McpRebindingGuardOptions {
  /** hostnames the `Host` header may name; undefined keeps the library's default */
  allowedHostnames?: string[];
  /** hostnames an `Origin` header may name, or `*` for any; undefined keeps the library's default */
  allowedOriginHostnames?: string[] | "*";
}

type GuardSettings = Pick<Env, "EDGEFLOW_MCP_ALLOWED_HOSTS" | "EDGEFLOW_MCP_ALLOWED_ORIGINS">;

/** The `createMcpHandler` options the deployment's settings ask for (none when both are unset). */
export function mcpRebindingGuardOptions(env: GuardSettings): McpRebindingGuardOptions {
  const hosts = hostnameList(env.EDGEFLOW_MCP_ALLOWED_HOSTS);
  const origins = hostnameList(env.EDGEFLOW_MCP_ALLOWED_ORIGINS);
  return {
    ...(hosts === undefined ? {} : { allowedHostnames: hosts }),
    ...(origins === undefined ? {} : { allowedOriginHostnames: origins.includes("*") ? "*" : origins }),
  };
}

/**
 * `"a.example, https://b.example:8443"` → `["a.example", "b.example"]`: hostnames, lower case;
 * an entry written as a URL or with a port counts by its hostname (the checks ignore ports).
 * Undefined for an unset or blank setting.
 */
function hostnameList(setting: string | undefined): string[] | undefined {
  const entries = (setting ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
  return entries.length === 0 ? undefined : entries.map(hostnameOf);
}

function hostnameOf(entry: string): string {
  if (entry === "*") return entry;
  try {
    return new URL(entry.includes("://") ? entry : `http://${entry}`).hostname;
  } catch {
    return entry;
  }
}
