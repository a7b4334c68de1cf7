/**
 * @module
 * Publish-time check of where a workflow names tenant secrets. Capability fields, the fields
 * whose value the platform itself uses (a webhook trigger's `secret`, `external_call.auth`,
 * `external_state.config`), hold literal text and `{{ env.NAME }}` references only: any other
 * `{{ }}` is `secret.invalid_reference`, positioned at its `{{`. Everywhere else `env` is refused:
 * in expressions by `check-expressions.ts`, and here for a computed field's `from` path
 * (`from: env.X` gives `expression.env_not_allowed`). Nothing is evaluated.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { ENV_NOT_ALLOWED } from "../secrets/env-references.ts";
import { CAPABILITY_FIELDS_TEXT, parseSecretTemplate } from "../secrets/secret-template.ts";
import { errorDiagnostics, type ProblemInDefinition } from "./check-expressions.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { isPlainRecord, walkSteps } from "./step-walk.ts";
import type { YamlPath } from "./yaml-path.ts";

/** Every misuse of a secret in `definition`, loaded from `yaml`, as error diagnostics. */
export function checkSecretFields(definition: WorkflowDefinition, yaml: string): Diagnostic[] {
  return errorDiagnostics([...capabilityProblems(definition), ...envPathProblems(definition)], yaml);
}

/** The strings of every capability field, with their paths. */
export function capabilityFields(definition: WorkflowDefinition): { path: YamlPath; text: string }[] {
  const fields: { path: YamlPath; text: string }[] = [];
  const document: unknown = definition;
  if (!isPlainRecord(document)) return fields;
  if (Array.isArray(document.triggers)) {
    document.triggers.forEach((trigger, index) => {
      if (isPlainRecord(trigger) && trigger.type === "webhook")
        collectStrings(trigger.secret, ["triggers", index, "secret"], fields);
    });
  }
  walkSteps(document, ({ step, path }) => {
    if (step.type === "external_call") collectStrings(step.auth, [...path, "auth"], fields);
  });
  if (isPlainRecord(document.external_state)) {
    collectStrings(document.external_state.config, ["external_state", "config"], fields);
  }
  return fields;
}

function capabilityProblems(definition: WorkflowDefinition): ProblemInDefinition[] {
  return capabilityFields(definition).flatMap(({ path, text }) => {
    const parsed = parseSecretTemplate(text);
    return parsed.ok ? [] : [{ ...parsed.problem, path }];
  });
}

/** A path rooted at `env` (`env.X`, `env["X"]`, `env`); a template is checked as an expression. */
const ENV_PATH = /^\s*env(?![\w$])/;

/** Computed `from` paths (not templates) rooted at `env`, in the workflow and its sub-agent tasks. */
function envPathProblems(definition: WorkflowDefinition): ProblemInDefinition[] {
  const problems: ProblemInDefinition[] = [];
  for (const { path, from } of computedFromEntries(definition)) {
    if (!ENV_PATH.test(from) || from.includes("{{")) continue;
    problems.push({
      code: ENV_NOT_ALLOWED,
      message: `"${from.trim().slice(0, 60)}" reads env, the tenant's secrets: a secret is written as {{ env.NAME }} only in ${CAPABILITY_FIELDS_TEXT}`,
      path,
      offset: 0,
    });
  }
  return problems;
}

/** Every string entry of a computed field's `from`, with its path. */
export function computedFromEntries(definition: WorkflowDefinition): { path: YamlPath; from: string }[] {
  const document: unknown = definition;
  if (!isPlainRecord(document)) return [];
  const owners: [unknown, YamlPath][] = [[document, []]];
  if (isPlainRecord(document.sub_agent_tasks)) {
    for (const [name, task] of Object.entries(document.sub_agent_tasks))
      owners.push([task, ["sub_agent_tasks", name]]);
  }
  const entries: { path: YamlPath; from: string }[] = [];
  for (const [owner, ownerPath] of owners) {
    const schema = isPlainRecord(owner) ? owner.state_schema : undefined;
    const computed = isPlainRecord(schema) ? schema.computed : undefined;
    if (!isPlainRecord(computed)) continue;
    for (const [name, field] of Object.entries(computed)) {
      const from = isPlainRecord(field) ? field.from : undefined;
      const fromPath = [...ownerPath, "state_schema", "computed", name, "from"];
      if (typeof from === "string") entries.push({ path: fromPath, from });
      else if (Array.isArray(from)) {
        for (const [index, entry] of from.entries())
          if (typeof entry === "string") entries.push({ path: [...fromPath, index], from: entry });
      }
    }
  }
  return entries;
}

/** Every string inside `value` (arrays and mappings at any depth), with its path. */
export function collectStrings(
  value: unknown,
  path: YamlPath,
  into: { path: YamlPath; text: string }[],
): void {
  if (typeof value === "string") into.push({ path, text: value });
  else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) collectStrings(item, [...path, index], into);
  } else if (isPlainRecord(value)) {
    for (const [key, item] of Object.entries(value)) collectStrings(item, [...path, key], into);
  }
}
