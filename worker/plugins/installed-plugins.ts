/**
 * @module
 * The plugin catalog the worker resolves `uses:` against (publish, `workflow_validate`,
 * `service_register`, the admin service routes) and `plugin_list` shows: every version
 * `plugins/index.ts` holds. The one module through which the worker reads it. MCP tools get it in
 * their `TenantScope` (`plugins`), so a test runs them against a catalog of its own.
 */
import type { PluginCatalog } from "../../engine/plugins/descriptor.ts";
import { pluginCatalog } from "../../plugins/index.ts";

export function installedPlugins(): PluginCatalog {
  return pluginCatalog;
}
