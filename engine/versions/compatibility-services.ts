/**
 * @module
 * Differences in `services:` and in the plugin majors a version runs on. At publish a definition
 * carries the exact plugin versions its `uses:` resolved to (`resolved`, engine/plugins/published.ts):
 * the major of each is compared. A file that was never published (the CLI's `--against`) has
 * none, so the lowest version its range admits stands in (`^1` → 1, `>=2 <4` → 2).
 */
import semver from "semver";
import { canonicalJson } from "../audit/canonical-json.ts";
import type { WorkflowDefinition } from "../dialect/index.ts";
import { EXTERNAL_STATE_SERVICE, publishedExternalState, publishedServices } from "../plugins/published.ts";
import { parseUses } from "../plugins/uses-spec.ts";
import type { CompatibilityChange } from "./compatibility-change.ts";

export function serviceChanges(
  previous: WorkflowDefinition,
  next: WorkflowDefinition,
): CompatibilityChange[] {
  const before = previous.services ?? {};
  const after = next.services ?? {};
  const changes: CompatibilityChange[] = [];
  for (const [name, service] of Object.entries(before)) {
    const path = `services.${name}`;
    const now = after[name];
    if (now === undefined) {
      changes.push({
        kind: "service_removed",
        path,
        breaking: true,
        message: `service "${name}" was removed: steps of the previous version call it (a tenant service of that name would take its place)`,
      });
    } else if (canonicalJson(now) !== canonicalJson(service)) {
      const from = pluginOf(service.uses);
      const to = pluginOf(now.uses);
      changes.push(
        from === to
          ? {
              kind: "service_changed",
              path,
              breaking: false,
              message: `service "${name}" changed its range or configuration (${service.uses} → ${now.uses})`,
            }
          : {
              kind: "service_changed",
              path,
              breaking: true,
              message: `service "${name}" now uses plugin ${to} instead of ${from}: its methods and results differ`,
            },
      );
    }
  }
  for (const name of Object.keys(after)) {
    if (!Object.hasOwn(before, name)) {
      changes.push({
        kind: "service_added",
        path: `services.${name}`,
        breaking: false,
        message: `new service "${name}"`,
      });
    }
  }
  return changes;
}

function pluginOf(uses: string): string {
  const parsed = parseUses(uses);
  return parsed.ok ? parsed.spec.name : uses;
}

interface PluginMajor {
  plugin: string;
  major: number;
  /** the resolved version, or the range when nothing was resolved */
  version: string;
}

/** The plugin major of each service (and `external_state`), by service name. */
function pluginMajors(definition: WorkflowDefinition): Map<string, PluginMajor> {
  const majors = new Map<string, PluginMajor>();
  const resolved = publishedServices(definition);
  const externalState = publishedExternalState(definition);
  if (resolved.length > 0 || externalState !== undefined) {
    for (const service of [...resolved, ...(externalState ? [externalState] : [])]) {
      const version = semver.parse(service.version);
      if (version !== null)
        majors.set(service.name, { plugin: service.plugin, major: version.major, version: service.version });
    }
    return majors;
  }
  const uses: [string, string][] = Object.entries(definition.services ?? {}).map(([name, service]) => [
    name,
    service.uses,
  ]);
  if (definition.external_state?.uses !== undefined)
    uses.push([EXTERNAL_STATE_SERVICE, definition.external_state.uses]);
  for (const [name, text] of uses) {
    const parsed = parseUses(text);
    const lowest = parsed.ok ? semver.minVersion(parsed.spec.range) : null;
    if (parsed.ok && lowest !== null)
      majors.set(name, { plugin: parsed.spec.name, major: lowest.major, version: parsed.spec.range });
  }
  return majors;
}

export function pluginMajorChanges(
  previous: WorkflowDefinition,
  next: WorkflowDefinition,
): CompatibilityChange[] {
  const before = pluginMajors(previous);
  const after = pluginMajors(next);
  const changes: CompatibilityChange[] = [];
  for (const [name, old] of before) {
    const now = after.get(name);
    if (now === undefined || now.plugin !== old.plugin || now.major === old.major) continue;
    changes.push({
      kind: "plugin_major_changed",
      path: `services.${name}`,
      breaking: true,
      message: `service "${name}" moves from ${old.plugin} ${old.version} to ${now.version} (major ${old.major} → ${now.major}): a new major may change methods, parameters and results`,
    });
  }
  return changes;
}
