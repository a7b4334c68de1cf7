/**
 * @module
 * A service's `config` against its plugin, at publish or registration. Secret fields (the plugin's
 * `capabilities.secretFields`, dotted paths) are capability fields: literal text with
 * `{{ env.NAME }}` references, stored unresolved and resolved on the host at call time. Every other
 * field is static: a `{{ }}` there is refused (`expression.env_not_allowed` when it names a secret,
 * `service.invalid_config` otherwise), because nothing evaluates a service's configuration. The
 * static fields are then checked against the plugin's `config` schema; a secret field holding a
 * reference is skipped by that check (its value exists only at call time). `config.circuit` is the
 * platform's (circuit-config.ts): checked against its own schema, never shown to the plugin. Pure.
 */
import type { ErrorCode } from "../errors.ts";
import { hasTemplate } from "../expressions/template.ts";
import { ENV_NOT_ALLOWED } from "../secrets/env-references.ts";
import { parseSecretTemplate } from "../secrets/secret-template.ts";
import { CIRCUIT_CONFIG_KEY, circuitConfigSchema, splitCircuitConfig } from "./circuit-config.ts";
import type { PluginDescriptor } from "./descriptor.ts";
import { formatRelative, type RelativePath, staticProblems } from "./static-check.ts";

export interface ConfigProblem {
  code: ErrorCode;
  message: string;
  /** path inside `config` */
  path: RelativePath;
  /** offset inside the string at `path` */
  offset: number;
}

/** Everything wrong with `config` for `plugin`, located inside `config`. */
export function configProblems(plugin: PluginDescriptor, config: unknown): ConfigProblem[] {
  const secretFields = new Set(plugin.capabilities.secretFields);
  const problems: ConfigProblem[] = [];
  for (const { path, text } of stringLeaves(config, [])) {
    if (!hasTemplate(text)) continue;
    const parsed = parseSecretTemplate(text);
    if (secretFields.has(path.join("."))) {
      if (!parsed.ok) problems.push({ ...parsed.problem, path });
      continue;
    }
    problems.push({ ...notSecretField(plugin, path, parsed.ok), path, offset: text.indexOf("{{") });
  }
  const { circuit, pluginConfig } = splitCircuitConfig(config);
  for (const problem of staticProblems(plugin.config, pluginConfig)) {
    const where = problem.path.length === 0 ? "config" : `config.${formatRelative(problem.path)}`;
    problems.push({
      code: "service.invalid_config",
      message: `${where}: ${problem.message} (${plugin.name}@${plugin.version}'s configuration schema; plugin_list shows it)`,
      path: problem.path,
      offset: 0,
    });
  }
  if (circuit !== undefined) {
    for (const problem of staticProblems(circuitConfigSchema, circuit)) {
      const path = [CIRCUIT_CONFIG_KEY, ...problem.path];
      problems.push({
        code: "service.invalid_config",
        message: `config.${formatRelative(path)}: ${problem.message} (the circuit breaker's settings: failure_threshold, cool_down_seconds)`,
        path,
        offset: 0,
      });
    }
  }
  return problems;
}

function notSecretField(
  plugin: PluginDescriptor,
  path: RelativePath,
  namesSecrets: boolean,
): { code: ErrorCode; message: string } {
  const secrets = plugin.capabilities.secretFields;
  const allowed =
    secrets.length === 0
      ? `${plugin.name} has no secret fields`
      : `only ${secrets.map((field) => `config.${field}`).join(", ")} take {{ env.NAME }}`;
  const field = `config.${formatRelative(path)}`;
  return namesSecrets
    ? { code: ENV_NOT_ALLOWED, message: `${field} is not a secret field of ${plugin.name}: ${allowed}` }
    : {
        code: "service.invalid_config",
        message: `${field}: a service's configuration is not evaluated, so {{ }} is not allowed here (${allowed})`,
      };
}

/** Every string inside `value` (arrays and mappings at any depth), with its path. */
function stringLeaves(value: unknown, path: RelativePath): { path: RelativePath; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, [...path, index]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => stringLeaves(item, [...path, key]));
  }
  return [];
}
