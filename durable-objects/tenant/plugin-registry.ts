/**
 * @module
 * The plugin versions a TenantDO runs: the first-party plugins of plugins/index.ts, the same list
 * the worker's catalog resolves `uses:` against (worker/plugins/installed-plugins.ts), found by
 * name and exact version (the version a workflow or tenant service pinned). There is no second
 * list: a version the catalog does not show cannot run. Tests that need a plugin of their own
 * call the effect runner with their own `PluginFinder`.
 */

import type { Plugin } from "../../plugins/contract.ts";
import { FIRST_PARTY_PLUGINS } from "../../plugins/index.ts";

/** Finds a plugin by name and exact version. */
export type PluginFinder = (name: string, version: string) => Plugin | undefined;

export function findPlugin(name: string, version: string): Plugin | undefined {
  return FIRST_PARTY_PLUGINS.find((plugin) => plugin.name === name && plugin.version === version);
}
