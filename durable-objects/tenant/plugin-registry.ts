/**
 * @module
 * The plugins a TenantDO can run: every first-party plugin (`FIRST_PARTY_PLUGINS`, plugins/index.ts)
 * plus those added through `registerPlugin`, found by name and exact version (the version a
 * workflow pinned at publish). `registerPlugin` is the injection point for plugins that are not
 * first-party: tests in workerd register a test plugin (module state is shared by the test and the
 * objects in the vitest pool), and the crash test's own entry point (test/crash/crash-worker.ts)
 * registers its plugins before it re-exports the worker. Production code never calls it.
 */

import type { Plugin } from "../../plugins/contract.ts";
import { FIRST_PARTY_PLUGINS } from "../../plugins/index.ts";

const registered = new Map<string, Plugin>();

function keyOf(name: string, version: string): string {
  return `${name}@${version}`;
}

/** Adds (or replaces) a plugin version beside the first-party ones. */
export function registerPlugin(plugin: Plugin): void {
  registered.set(keyOf(plugin.name, plugin.version), plugin);
}

/** Removes a plugin added with `registerPlugin` (tests clean up after themselves). */
export function unregisterPlugin(name: string, version: string): void {
  registered.delete(keyOf(name, version));
}

export function findPlugin(name: string, version: string): Plugin | undefined {
  return (
    registered.get(keyOf(name, version)) ??
    FIRST_PARTY_PLUGINS.find((plugin) => plugin.name === name && plugin.version === version)
  );
}
