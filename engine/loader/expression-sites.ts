/**
 * @module
 * Every place in a validated definition where the engine evaluates JavaScript, with its path:
 * the fields the step machine, the state engine and event matching pass to the evaluator, and
 * no other. A site is a bare `expression` (the whole string is JavaScript: a condition or a
 * trigger filter without `{{`, a computed transform) or a `template` (a string with `{{ }}`
 * parts, found at any depth of the fields that are rendered: every field of a client step but
 * the engine's own, state update values, `items`, a wait's `message`/`until`, ...).
 *
 * Capability fields (a webhook `secret`, `external_call.auth`, `external_state.config`) are not
 * sites: they hold `{{ env.NAME }}` references that the host substitutes, never JavaScript.
 *
 * Paths point into the definition; the one place where the file as written has another shape
 * (a dependency task's `when`) is mapped back by `check-expressions.ts`. Plain strings that
 * are not templates are left out where the engine keeps them as text (an update's `value`,
 * `items`, a `from` path). Pure: lists, never evaluates.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { hasTemplate } from "../expressions/template.ts";
import { ENGINE_FIELDS, isClientStep } from "../machine/step-kinds.ts";
import { isPlainRecord, type PlainRecord, walkSteps } from "./step-walk.ts";
import type { YamlPath } from "./yaml-path.ts";

/** What the engine does with the text; for messages and tests. */
export type ExpressionSiteKind = "condition" | "transform" | "filter" | "mapping" | "template";

export interface ExpressionSite {
  /** where the string is in the definition, e.g. `["steps", 2, "condition"]` */
  path: YamlPath;
  /** the string as written */
  text: string;
  /** `expression`: the whole text is JavaScript; `template`: its `{{ }}` parts are */
  form: "expression" | "template";
  kind: ExpressionSiteKind;
}

/** The expression sites of `definition`, in document order of its blocks. */
export function listExpressionSites(definition: WorkflowDefinition): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const document: unknown = definition;
  if (!isPlainRecord(document)) return sites;
  computedSites(document.state_schema, ["state_schema"], sites);
  walkSteps(document, ({ step, path }) => stepSites(step, path, sites));
  if (isPlainRecord(document.sub_agent_tasks)) {
    for (const [name, task] of Object.entries(document.sub_agent_tasks)) {
      if (!isPlainRecord(task)) continue;
      const taskPath = ["sub_agent_tasks", name];
      templateSites(task.prompt_template, [...taskPath, "prompt_template"], sites);
      computedSites(task.state_schema, [...taskPath, "state_schema"], sites);
    }
  }
  if (Array.isArray(document.triggers)) {
    for (const [index, trigger] of document.triggers.entries())
      triggerSites(trigger, ["triggers", index], sites);
  }
  if (isPlainRecord(document.dependencies)) {
    for (const [name, task] of Object.entries(document.dependencies)) {
      if (!isPlainRecord(task)) continue;
      const taskPath = ["dependencies", name];
      if (Array.isArray(task.when)) {
        for (const [index, condition] of task.when.entries()) {
          conditionSite(condition, [...taskPath, "when", index], "condition", sites);
        }
      }
      // a literal list is used as it is; only a string is rendered
      if (typeof task.for_each === "string") templateSites(task.for_each, [...taskPath, "for_each"], sites);
    }
  }
  for (const field of ["on_complete", "on_failure"] as const) {
    const notification = document[field];
    if (!isPlainRecord(notification)) continue;
    templateSites(notification.message, [field, "message"], sites);
    templateSites(notification.title, [field, "title"], sites);
  }
  // `external_state.config`, `external_call.auth` and a webhook `secret` are capability fields:
  // never evaluated, checked by `check-secret-fields.ts`
  return sites;
}

/** A step's own sites; nested steps are visited by the walk. */
function stepSites(step: PlainRecord, path: YamlPath, sites: ExpressionSite[]): void {
  conditionSite(step.when, [...path, "when"], "condition", sites);
  if (isPlainRecord(step.state_update)) {
    templateSites(step.state_update.value, [...path, "state_update", "value"], sites);
  }
  if (Array.isArray(step.state_updates)) {
    step.state_updates.forEach((update, index) => {
      if (isPlainRecord(update))
        templateSites(update.value, [...path, "state_updates", index, "value"], sites);
    });
  }
  const type = String(step.type);
  if (isClientStep(type)) {
    // handed to the agent with every field rendered, except those that steer the engine
    for (const [field, value] of Object.entries(step)) {
      if (!ENGINE_FIELDS.has(field)) templateSites(value, [...path, field], sites);
    }
    return;
  }
  const fields = SERVER_STEP_FIELDS[type] ?? [];
  for (const field of fields) {
    if (field === "condition") conditionSite(step.condition, [...path, field], "condition", sites);
    else templateSites(step[field], [...path, field], sites);
  }
}

/** The fields of each server step type that the engine evaluates (`condition`) or renders. */
const SERVER_STEP_FIELDS: Readonly<Record<string, readonly string[]>> = {
  conditional: ["condition"],
  while_loop: ["condition"],
  foreach: ["items"],
  parallel_foreach: ["items"],
  wait_step: ["message", "seconds", "until"],
  dependency_flow: ["graph"],
  // rendered when the step hands out its effect (steps/effect-steps.ts)
  external_call: ["params"],
  notify: ["message", "title"],
};

function computedSites(stateSchema: unknown, path: YamlPath, sites: ExpressionSite[]): void {
  if (!isPlainRecord(stateSchema) || !isPlainRecord(stateSchema.computed)) return;
  for (const [name, field] of Object.entries(stateSchema.computed)) {
    if (!isPlainRecord(field)) continue;
    const fieldPath = [...path, "computed", name];
    // a `from` entry (one or a list) without `{{` is a state path, not JavaScript
    templateSites(field.from, [...fieldPath, "from"], sites);
    if (typeof field.transform === "string") {
      sites.push({
        path: [...fieldPath, "transform"],
        text: field.transform,
        form: "expression",
        kind: "transform",
      });
    }
  }
}

function triggerSites(trigger: unknown, path: YamlPath, sites: ExpressionSite[]): void {
  if (!isPlainRecord(trigger)) return;
  conditionSite(trigger.filter, [...path, "filter"], "filter", sites);
  if (isPlainRecord(trigger.inputs_mapping)) {
    for (const [input, source] of Object.entries(trigger.inputs_mapping)) {
      conditionSite(source, [...path, "inputs_mapping", input], "mapping", sites);
    }
  }
}

/** A string the engine evaluates whole, unless it holds `{{`: then it is a template. */
function conditionSite(
  value: unknown,
  path: YamlPath,
  kind: ExpressionSiteKind,
  sites: ExpressionSite[],
): void {
  if (typeof value !== "string") return;
  sites.push({ path, text: value, form: hasTemplate(value) ? "template" : "expression", kind });
}

/** Every string holding `{{` inside `value` (arrays and mappings at any depth; keys are not rendered). */
function templateSites(value: unknown, path: YamlPath, sites: ExpressionSite[]): void {
  if (typeof value === "string") {
    if (hasTemplate(value)) sites.push({ path, text: value, form: "template", kind: "template" });
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) templateSites(item, [...path, index], sites);
  } else if (isPlainRecord(value)) {
    for (const [key, item] of Object.entries(value)) templateSites(item, [...path, key], sites);
  }
}
