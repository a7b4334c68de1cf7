/**
 * @module
 * Resolving `uses: "<name>@<range>"` against a `PluginCatalog`: the highest version of the named
 * plugin that satisfies the range (pre-releases only when the range names one, as `semver` does).
 * Two majors of one plugin may sit in the catalog side by side; `^1` and `^2` then pick different
 * ones. Pure: the catalog comes in as data.
 */
import semver from "semver";
import type { PluginCatalog, PluginDescriptor, PluginRole } from "./descriptor.ts";
import type { PluginCode } from "./error-codes.ts";
import { parseUses, type UsesSpec } from "./uses-spec.ts";

export type Resolution =
  | { ok: true; plugin: PluginDescriptor; spec: UsesSpec }
  | { ok: false; code: PluginCode; message: string };

/** Every version the catalog holds of `name`, highest first. */
export function versionsOf(catalog: PluginCatalog, name: string): PluginDescriptor[] {
  return catalog.plugins
    .filter((plugin) => plugin.name === name)
    .sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The highest version of `spec.name` satisfying `spec.range`, or why there is none. */
export function resolveSpec(catalog: PluginCatalog, spec: UsesSpec): Resolution {
  const versions = versionsOf(catalog, spec.name);
  if (versions.length === 0) {
    const known = [...new Set(catalog.plugins.map((plugin) => plugin.name))].sort();
    return {
      ok: false,
      code: "plugin.unknown",
      message: `No plugin named "${spec.name}"; ${known.length === 0 ? "none is installed" : `the platform has ${known.join(", ")}`} (plugin_list shows them)`,
    };
  }
  const plugin = versions.find((candidate) => semver.satisfies(candidate.version, spec.range));
  if (plugin === undefined) {
    return {
      ok: false,
      code: "plugin.no_matching_version",
      message: `No version of "${spec.name}" satisfies "${spec.range}"; it has ${versions.map((v) => v.version).join(", ")}`,
    };
  }
  return { ok: true, plugin, spec };
}

/** `uses:` text resolved, or why it cannot be (malformed, unknown, unsatisfiable). */
export function resolveUses(catalog: PluginCatalog, uses: string): Resolution {
  const parsed = parseUses(uses);
  if (!parsed.ok) return { ok: false, code: "plugin.invalid_uses", message: parsed.message };
  return resolveSpec(catalog, parsed.spec);
}

/** `plugin.wrong_role` when `plugin` cannot serve `role`. */
export function roleProblem(
  plugin: Pick<PluginDescriptor, "name" | "version" | "roles">,
  role: PluginRole,
  what: string,
): { code: PluginCode; message: string } | undefined {
  if (plugin.roles.includes(role)) return undefined;
  return {
    code: "plugin.wrong_role",
    message: `${what} needs a plugin with the "${role}" role; ${plugin.name}@${plugin.version} has ${plugin.roles.join(", ") || "none"}`,
  };
}
