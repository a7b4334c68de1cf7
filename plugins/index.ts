/**
 * @module
 * The first-party plugins, every version the platform holds (two majors of one plugin may sit
 * side by side), and the catalog the loader resolves `uses:` against.
 */
import type { PluginCatalog } from "../engine/plugins/descriptor.ts";
import type { Plugin } from "./contract.ts";

export const FIRST_PARTY_PLUGINS: readonly Plugin[] = [];

export const pluginCatalog: PluginCatalog = { plugins: FIRST_PARTY_PLUGINS };
