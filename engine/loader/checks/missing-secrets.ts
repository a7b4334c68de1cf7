/**
 * @module
 * Secrets a workflow needs that the tenant has not set (`check.missing_secret`, a warning at
 * publish: the secret may be set afterwards). Every `{{ env.NAME }}` of a capability field (a
 * webhook trigger's `secret`, `external_call.auth`, `external_state.config`) and of a `services:`
 * entry's `config` is looked up in the tenant's secret names; each missing one is reported once
 * per field, at its `{{`, with what needs it and how to set it; so is every secret of a service the
 * tenant registered that a step names (at the step's `service`/`channel`). Takes secret names
 * only, never values.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { parseTemplate } from "../../expressions/template.ts";
import { capabilityFields, collectStrings } from "../check-secret-fields.ts";
import { isPlainRecord, walkSteps } from "../step-walk.ts";
import { formatYamlPath, type YamlPath } from "../yaml-path.ts";
import type { StaticProblem } from "./unresolved-names.ts";

const REFERENCE = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** A service the tenant registered (`service_register`): its name and its configuration as stored. */
export interface TenantServiceConfig {
  name: string;
  config: Readonly<Record<string, unknown>>;
}

export function checkMissingSecrets(
  definition: WorkflowDefinition,
  secretNames: ReadonlySet<string>,
  tenantServices: readonly TenantServiceConfig[] = [],
): StaticProblem[] {
  return [
    ...fileSecretProblems(definition, secretNames),
    ...tenantServiceProblems(definition, secretNames, tenantServices),
  ];
}

function fileSecretProblems(
  definition: WorkflowDefinition,
  secretNames: ReadonlySet<string>,
): StaticProblem[] {
  const fields = capabilityFields(definition);
  for (const [name, service] of Object.entries(definition.services ?? {})) {
    if (isPlainRecord(service)) collectStrings(service.config, ["services", name, "config"], fields);
  }
  const problems: StaticProblem[] = [];
  for (const { path, text } of fields) {
    // one warning per field, at its first missing reference, naming at most a few of them
    const missing = new Map<string, number>();
    for (const { name, offset } of references(text)) {
      if (!secretNames.has(name) && !missing.has(name)) missing.set(name, offset);
    }
    const [first] = missing;
    if (first === undefined) continue;
    const [name, offset] = first;
    problems.push({
      code: "check.missing_secret",
      severity: "warning",
      path,
      offset,
      message:
        missing.size === 1
          ? `${consumerOf(definition, path)} needs the secret ${name}, which this tenant has not set: until it is, ${effectOf(path)}. ` +
            `Set it with PUT /admin/tenants/<tenant>/secrets/${name} {"value": "..."}`
          : `${consumerOf(definition, path)} needs the secrets ${listed([...missing.keys()])}, which this tenant has not set: until they are, ${effectOf(path)}. ` +
            `Set each with PUT /admin/tenants/<tenant>/secrets/<name> {"value": "..."}`,
    });
  }
  return problems;
}

/** Names listed in a message: at most this many, then how many more. */
export const MAX_LISTED_SECRETS = 10;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED_SECRETS).join(", ");
  const more = names.length - MAX_LISTED_SECRETS;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/**
 * The secrets of the registered services the file's steps reach (a step naming a service that is
 * neither in `services:` nor inline with `uses:`), once per service and secret, at the first
 * step that names the service.
 */
function tenantServiceProblems(
  definition: WorkflowDefinition,
  secretNames: ReadonlySet<string>,
  tenantServices: readonly TenantServiceConfig[],
): StaticProblem[] {
  const registered = new Map(tenantServices.map((service) => [service.name, service]));
  const declared = new Set(Object.keys(definition.services ?? {}));
  const reported = new Set<string>();
  const problems: StaticProblem[] = [];
  walkSteps(definition, ({ step, path }) => {
    const key = step.type === "external_call" ? "service" : step.type === "notify" ? "channel" : undefined;
    const name = key === undefined ? undefined : step[key];
    if (key === undefined || typeof name !== "string" || declared.has(name) || step.uses !== undefined)
      return;
    const service = registered.get(name);
    if (service === undefined) return;
    const strings: { path: YamlPath; text: string }[] = [];
    collectStrings(service.config, [], strings);
    for (const secret of strings.flatMap(({ text }) => references(text).map((reference) => reference.name))) {
      if (secretNames.has(secret) || reported.has(`${name}\u0000${secret}`)) continue;
      reported.add(`${name}\u0000${secret}`);
      problems.push({
        code: "check.missing_secret",
        severity: "warning",
        path: [...path, key],
        offset: 0,
        message:
          `${String(step.type)} "${String(step.id)}" uses the tenant service "${name}", whose config needs the secret ${secret}, which this tenant has not set: until it is, the call cannot be authenticated. ` +
          `Set it with PUT /admin/tenants/<tenant>/secrets/${secret} {"value": "..."}`,
      });
    }
  });
  return problems;
}

function references(text: string): { name: string; offset: number }[] {
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(text);
  } catch {
    return [];
  }
  return parts.flatMap((part) => {
    const name = part.kind === "expression" ? REFERENCE.exec(part.source)?.[1] : undefined;
    return name === undefined || part.kind !== "expression" ? [] : [{ name, offset: part.offset }];
  });
}

/** Who uses the field at `path`, in the author's words. */
function consumerOf(definition: WorkflowDefinition, path: YamlPath): string {
  const [root, key] = path;
  if (root === "triggers" && typeof key === "number") {
    const trigger: unknown = definition.triggers?.[key];
    const label = isPlainRecord(trigger) ? (trigger.id ?? trigger.endpoint) : undefined;
    return `the webhook trigger ${label === undefined ? `triggers[${key}]` : `"${String(label)}"`}`;
  }
  if (root === "external_state") return "external_state";
  if (root === "services") return `the service "${String(key)}"`;
  const stepPath = path.slice(0, path.lastIndexOf("auth"));
  let step: unknown = definition;
  for (const segment of stepPath)
    step =
      isPlainRecord(step) || Array.isArray(step) ? (step as Record<string, unknown>)[segment] : undefined;
  const id = isPlainRecord(step) ? step.id : undefined;
  return id === undefined
    ? `the external_call at ${formatYamlPath(stepPath)}`
    : `the external_call "${String(id)}"`;
}

function effectOf(path: YamlPath): string {
  if (path[0] === "triggers") return "every delivery to this webhook is refused as unsigned";
  if (path[0] === "external_state") return "the run's state cannot be mirrored to the backend";
  return "the call cannot be authenticated";
}
