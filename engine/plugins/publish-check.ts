/**
 * @module
 * The plugin half of publish: every `uses:` resolved against the catalog, every service a step
 * (or a workflow-level `on_complete`/`on_failure` notification) names found (the workflow's `services:` block, else an inline service from the step's `uses:`,
 * else a service the tenant registered), each checked for the role it serves (`call` for
 * `external_call`, `notify` for `notify`, `state` for `external_state`), each `external_call`'s
 * method looked up and its static params checked against the method's schema, and each service's
 * configuration checked (`config-check.ts`). Answers every problem with its path inside the file,
 * and what resolved (`PublishedPlugins`, stored with the version). Pure: the catalog and the
 * tenant's services come in as data.
 */

import semver from "semver";
import type { ErrorCode } from "../errors.ts";
import { isPlainRecord, walkSteps } from "../loader/step-walk.ts";
import type { YamlPath } from "../loader/yaml-path.ts";
import { configProblems } from "./config-check.ts";
import type {
  PluginCatalog,
  PluginDescriptor,
  PluginMethodSpec,
  PluginRole,
  ResolvedService,
} from "./descriptor.ts";
import { EXTERNAL_STATE_SERVICE, type PublishedPlugins } from "./published.ts";
import { resolveUses, roleProblem } from "./resolve.ts";
import { staticProblems } from "./static-check.ts";
import { parseUses } from "./uses-spec.ts";

/** The method key that stands for any method name (see `methodSpec`). */
export const ANY_METHOD = "*";

export interface PublishCheckContext {
  catalog: PluginCatalog;
  /** the tenant's registered services, by name (looked up only for names the file does not define) */
  tenantServices: ReadonlyMap<string, ResolvedService>;
}

export interface PluginProblem {
  code: ErrorCode;
  message: string;
  path: YamlPath;
  /** offset inside the string at `path` */
  offset: number;
}

export interface PluginCheck {
  problems: PluginProblem[];
  resolved: PublishedPlugins;
}

/** A service a step can reach, with the descriptor of its exact version. */
interface Target {
  service: ResolvedService;
  plugin: PluginDescriptor;
  /** where it came from, for messages */
  origin: string;
}

/** A place that names a service: an `external_call` or `notify` step, or `on_complete`/`on_failure`. */
interface ServiceSite {
  /** the step (or run notification) as written */
  site: Record<string, unknown>;
  path: YamlPath;
  key: "service" | "channel";
  name: string;
  role: PluginRole;
  /** for messages: `external_call service`, `notify channel`, `on_complete channel` */
  what: string;
}

/** Every place in `definition` that names a service, in file order of kind (steps, then run notifications). */
function serviceSites(definition: unknown): ServiceSite[] {
  const sites: ServiceSite[] = [];
  walkSteps(definition, ({ step, path }) => {
    const key = serviceKeyOf(step.type);
    const name = key === undefined ? undefined : step[key];
    if (key === undefined || typeof name !== "string") return;
    const role: PluginRole = step.type === "external_call" ? "call" : "notify";
    sites.push({ site: step, path, key, name, role, what: `${String(step.type)} ${key} "${name}"` });
  });
  if (!isPlainRecord(definition)) return sites;
  for (const when of RUN_NOTIFICATIONS) {
    const notification = definition[when];
    if (!isPlainRecord(notification) || typeof notification.channel !== "string") continue;
    const name = notification.channel;
    sites.push({
      site: notification,
      path: [when],
      key: "channel",
      name,
      role: "notify",
      what: `${when} channel "${name}"`,
    });
  }
  return sites;
}

/** Workflow-level notifications sent when a run ends, shaped like a `notify` step's `channel`/`uses`. */
const RUN_NOTIFICATIONS = ["on_complete", "on_failure"] as const;

/** The names of services the steps use that `definition` itself does not define (tenant services). */
export function undefinedServiceNames(definition: unknown): string[] {
  const block = isPlainRecord(definition) && isPlainRecord(definition.services) ? definition.services : {};
  const names = serviceSites(definition)
    .filter(({ site, name }) => !Object.hasOwn(block, name) && site.uses === undefined)
    .map(({ name }) => name);
  return [...new Set(names)].sort();
}

export function checkPlugins(definition: unknown, context: PublishCheckContext): PluginCheck {
  const problems: PluginProblem[] = [];
  const report = (code: ErrorCode, message: string, path: YamlPath, offset = 0) =>
    problems.push({ code, message, path, offset });
  if (!isPlainRecord(definition)) return { problems, resolved: { services: [] } };

  const declared = declaredServices(definition, context.catalog, report);
  const inline = new Map<string, Target>();
  for (const { site, path, key, name, role, what } of serviceSites(definition)) {
    const target = stepTarget(site, path, key, name, { declared, inline, context, report });
    if (target === undefined) continue;
    const wrongRole = roleProblem(target.plugin, role, what);
    if (wrongRole !== undefined) report(wrongRole.code, wrongRole.message, [...path, key]);
    else if (role === "call") checkMethod(site, path, target, report);
  }

  const services = [...[...declared.values()].flatMap((entry) => (entry === null ? [] : [entry.service]))];
  services.push(...[...inline.values()].map((target) => target.service));
  const external_state = externalState(definition, context.catalog, report);
  return {
    problems,
    resolved: external_state === undefined ? { services } : { services, external_state },
  };
}

type Report = (code: ErrorCode, message: string, path: YamlPath, offset?: number) => void;

function serviceKeyOf(type: unknown): "service" | "channel" | undefined {
  if (type === "external_call") return "service";
  if (type === "notify") return "channel";
  return undefined;
}

/** The `services:` block resolved: a name maps to its target, or `null` when it failed (already reported). */
function declaredServices(
  definition: Record<string, unknown>,
  catalog: PluginCatalog,
  report: Report,
): Map<string, Target | null> {
  const declared = new Map<string, Target | null>();
  if (!isPlainRecord(definition.services)) return declared;
  for (const [name, entry] of Object.entries(definition.services)) {
    if (!isPlainRecord(entry) || typeof entry.uses !== "string") continue;
    const path: YamlPath = ["services", name];
    const resolution = resolveUses(catalog, entry.uses);
    if (!resolution.ok) {
      report(resolution.code, resolution.message, [...path, "uses"]);
      declared.set(name, null);
      continue;
    }
    const config = isPlainRecord(entry.config) ? entry.config : {};
    for (const problem of configProblems(resolution.plugin, config)) {
      report(problem.code, problem.message, [...path, "config", ...problem.path], problem.offset);
    }
    const { plugin } = resolution;
    declared.set(name, {
      service: { name, plugin: plugin.name, version: plugin.version, config },
      plugin,
      origin: `services.${name}`,
    });
  }
  return declared;
}

interface StepScope {
  declared: Map<string, Target | null>;
  inline: Map<string, Target>;
  context: PublishCheckContext;
  report: Report;
}

/** The service a step reaches, or `undefined` when it cannot be found (reported). */
function stepTarget(
  step: Record<string, unknown>,
  path: YamlPath,
  key: "service" | "channel",
  name: string,
  { declared, inline, context, report }: StepScope,
): Target | undefined {
  const uses = typeof step.uses === "string" ? step.uses : undefined;
  if (declared.has(name)) {
    const target = declared.get(name) ?? undefined;
    if (target !== undefined && uses !== undefined) checkStepRange(uses, target, [...path, "uses"], report);
    return target;
  }
  if (uses !== undefined) return inlineTarget(uses, name, path, { declared, inline, context, report });
  const registered = context.tenantServices.get(name);
  if (registered === undefined) {
    report(
      "service.unknown",
      `No service "${name}": declare it under services:, give the step uses: "<plugin>@<range>" for an inline service, or register it for the tenant (service_register)`,
      [...path, key],
    );
    return undefined;
  }
  const plugin = context.catalog.plugins.find(
    (candidate) => candidate.name === registered.plugin && candidate.version === registered.version,
  );
  if (plugin === undefined) {
    report(
      "plugin.unknown",
      `The tenant service "${name}" uses ${registered.plugin}@${registered.version}, which the platform no longer holds; register it again (service_register)`,
      [...path, key],
    );
    return undefined;
  }
  return { service: registered, plugin, origin: `the tenant service "${name}"` };
}

/** A step's `uses:` beside a named service: same plugin, and the service's version in range. */
function checkStepRange(uses: string, target: Target, path: YamlPath, report: Report): void {
  const parsed = parseUses(uses);
  if (!parsed.ok) {
    report("plugin.invalid_uses", parsed.message, path);
    return;
  }
  const { name, range } = parsed.spec;
  const { plugin, version } = target.service;
  if (name !== plugin || !semver.satisfies(version, range)) {
    report(
      "service.conflict",
      `uses: "${uses}" does not match ${target.origin}, which resolved to ${plugin}@${version}; drop uses: or make them agree`,
      path,
    );
  }
}

function inlineTarget(
  uses: string,
  name: string,
  path: YamlPath,
  { inline, context, report }: StepScope,
): Target | undefined {
  const usesPath: YamlPath = [...path, "uses"];
  const resolution = resolveUses(context.catalog, uses);
  if (!resolution.ok) {
    report(resolution.code, resolution.message, usesPath);
    return undefined;
  }
  const { plugin } = resolution;
  const earlier = inline.get(name);
  if (earlier !== undefined) {
    if (earlier.plugin.name === plugin.name && earlier.plugin.version === plugin.version) return earlier;
    report(
      "service.conflict",
      `The inline service "${name}" resolved to ${earlier.plugin.name}@${earlier.plugin.version} at another step and to ${plugin.name}@${plugin.version} here; declare it once under services:`,
      usesPath,
    );
    return undefined;
  }
  for (const problem of configProblems(plugin, {})) {
    report(
      "service.invalid_config",
      `an inline service has no configuration, and ${plugin.name}@${plugin.version} needs some (${problem.message}); declare "${name}" under services: with its config`,
      usesPath,
    );
  }
  const target: Target = {
    service: { name, plugin: plugin.name, version: plugin.version, config: {} },
    plugin,
    origin: `the inline service "${name}"`,
  };
  inline.set(name, target);
  return target;
}

function checkMethod(step: Record<string, unknown>, path: YamlPath, target: Target, report: Report): void {
  const method = typeof step.method === "string" ? step.method : undefined;
  if (method === undefined) return;
  const { plugin } = target;
  const spec = methodSpec(plugin, method);
  if (spec === undefined) {
    const known = Object.keys(plugin.methods).sort().join(", ") || "none";
    report(
      "plugin.unknown_method",
      `${plugin.name}@${plugin.version} has no method "${method}"; it has ${known}`,
      [...path, "method"],
    );
    return;
  }
  for (const problem of staticProblems(spec.params, step.params ?? {})) {
    report(
      "plugin.invalid_params",
      `${problem.message} (${plugin.name}@${plugin.version} ${method}'s params; a {{ }} field is checked when it runs)`,
      [...path, "params", ...problem.path],
    );
  }
}

/**
 * The spec of `method`: its own entry, else the plugin's `"*"` entry (a plugin such as `http` whose
 * method names are open: any name is accepted and checked against that entry's schemas).
 */
export function methodSpec(plugin: PluginDescriptor, method: string): PluginMethodSpec | undefined {
  if (Object.hasOwn(plugin.methods, method)) return plugin.methods[method];
  return Object.hasOwn(plugin.methods, ANY_METHOD) ? plugin.methods[ANY_METHOD] : undefined;
}

/** `external_state` resolved to a `state` plugin (`uses:`, else `<backend>@*`). */
function externalState(
  definition: Record<string, unknown>,
  catalog: PluginCatalog,
  report: Report,
): ResolvedService | undefined {
  const block = definition.external_state;
  if (!isPlainRecord(block) || typeof block.backend !== "string") return undefined;
  const uses = typeof block.uses === "string" ? block.uses : `${block.backend}@*`;
  const usesPath: YamlPath = ["external_state", typeof block.uses === "string" ? "uses" : "backend"];
  const resolution = resolveUses(catalog, uses);
  const problem = !resolution.ok
    ? resolution
    : resolution.plugin.name !== block.backend
      ? {
          code: "service.conflict" as const,
          message: `external_state.backend is "${block.backend}" but uses: names "${resolution.plugin.name}"; make them agree`,
        }
      : roleProblem(resolution.plugin, "state", "external_state");
  if (problem !== undefined || !resolution.ok) {
    if (problem !== undefined) report(problem.code, problem.message, usesPath);
    return undefined;
  }
  const { plugin } = resolution;
  const config = isPlainRecord(block.config) ? block.config : {};
  // the syntax of {{ env.NAME }} in external_state.config is checked by check-secret-fields.ts
  for (const problem of configProblems(plugin, config)) {
    if (problem.code === "secret.invalid_reference") continue;
    report(problem.code, problem.message, ["external_state", "config", ...problem.path], problem.offset);
  }
  return { name: EXTERNAL_STATE_SERVICE, plugin: plugin.name, version: plugin.version, config };
}
