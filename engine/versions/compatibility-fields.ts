/**
 * @module
 * Differences in the data a workflow declares: inputs (what callers and triggers give), state
 * fields and computed fields (what a run in flight holds and its expressions read).
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import type { CompatibilityChange } from "./compatibility-change.ts";

interface InputShape {
  /** the types a value must fit: `inputs.<name>.type` and `state_schema.inputs.<name>` (`any` left out) */
  types: Set<string>;
  /** required and nothing fills it when the caller leaves it out */
  mandatory: boolean;
  /** `inputs.<name>.validation` without `error_message`, as stable JSON (undefined when none) */
  validation: string | undefined;
}

function inputsOf(definition: WorkflowDefinition): Map<string, InputShape> {
  const defaults = definition.default_state?.inputs ?? {};
  const schemaTypes = definition.state_schema?.inputs ?? {};
  const inputs = new Map<string, InputShape>();
  for (const [name, spec] of Object.entries(definition.inputs ?? {})) {
    const hasDefault = spec.default !== undefined || defaults[name] !== undefined;
    const declared: (string | undefined)[] = [
      spec.type,
      Object.hasOwn(schemaTypes, name) ? schemaTypes[name] : undefined,
    ];
    inputs.set(name, {
      types: new Set(declared.filter((type): type is string => type !== undefined && type !== "any")),
      mandatory: spec.required !== false && !hasDefault,
      validation: validationKey(spec.validation),
    });
  }
  return inputs;
}

/** The rules of a validation that refuse values (its `error_message` refuses nothing), as stable JSON. */
function validationKey(validation: Record<string, unknown> | undefined): string | undefined {
  if (validation === undefined) return undefined;
  const rules = Object.entries(validation)
    .filter(([key, value]) => key !== "error_message" && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return rules.length === 0 ? undefined : JSON.stringify(rules);
}

function describeTypes(types: ReadonlySet<string>): string {
  return types.size === 0 ? "any" : [...types].sort().join(" and ");
}

/** Every value that fit `before` still fits `after`: `after` asks no type `before` did not. */
function typesWidened(before: ReadonlySet<string>, after: ReadonlySet<string>): boolean {
  return [...after].every((type) => before.has(type));
}

export function inputChanges(previous: WorkflowDefinition, next: WorkflowDefinition): CompatibilityChange[] {
  const before = inputsOf(previous);
  const after = inputsOf(next);
  const changes: CompatibilityChange[] = [];
  for (const [name, input] of after) {
    const path = `inputs.${name}`;
    const old = before.get(name);
    if (old === undefined) {
      changes.push(
        input.mandatory
          ? {
              kind: "input_added",
              path,
              breaking: true,
              message: `new required input "${name}" without a default: callers and triggers of the previous version do not give it`,
            }
          : { kind: "input_added", path, breaking: false, message: `new optional input "${name}"` },
      );
      continue;
    }
    const oldType = describeTypes(old.types);
    const newType = describeTypes(input.types);
    if (oldType !== newType) {
      const widened = typesWidened(old.types, input.types);
      changes.push({
        kind: "input_retyped",
        path,
        breaking: !widened,
        message: widened
          ? `input "${name}" changed type from ${oldType} to ${newType}: every value callers give today still fits`
          : `input "${name}" changed type from ${oldType} to ${newType}: values callers give today no longer fit`,
      });
    }
    if (input.validation !== undefined && input.validation !== old.validation) {
      changes.push({
        kind: "input_validation_changed",
        path,
        breaking: true,
        message: `input "${name}" has ${old.validation === undefined ? "a new" : "a changed"} validation: values callers give today may no longer pass`,
      });
    }
    if (!old.mandatory && input.mandatory) {
      changes.push({
        kind: "input_now_required",
        path,
        breaking: true,
        message: `input "${name}" is now required without a default: callers that leave it out are refused`,
      });
    }
  }
  for (const name of before.keys()) {
    if (!after.has(name)) {
      changes.push({
        kind: "input_removed",
        path: `inputs.${name}`,
        breaking: true,
        message: `input "${name}" was removed: callers and triggers that give it are refused`,
      });
    }
  }
  return changes;
}

/** A state field's type: the one `state_schema.state` declares, else the JSON type of its initial value. */
function stateFieldsOf(definition: WorkflowDefinition): Map<string, string | undefined> {
  const fields = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(definition.default_state?.state ?? {}))
    fields.set(name, jsonTypeOf(value));
  for (const [name, type] of Object.entries(definition.state_schema?.state ?? {})) fields.set(name, type);
  return fields;
}

function jsonTypeOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || type === "object" ? type : undefined;
}

export function stateChanges(previous: WorkflowDefinition, next: WorkflowDefinition): CompatibilityChange[] {
  const before = stateFieldsOf(previous);
  const after = stateFieldsOf(next);
  const computedAfter = next.state_schema?.computed ?? {};
  const changes: CompatibilityChange[] = [];
  for (const [name, type] of before) {
    const path = `state.${name}`;
    if (Object.hasOwn(computedAfter, name)) {
      changes.push({
        kind: "state_retyped",
        path,
        breaking: true,
        message: `state field "${name}" became a computed field: runs in flight hold a value the new version would overwrite`,
      });
    } else if (!after.has(name)) {
      changes.push({
        kind: "state_removed",
        path,
        breaking: true,
        message: `state field "${name}" was removed: runs in flight hold it and steps of the previous version read it`,
      });
    } else {
      const newType = after.get(name);
      if (
        type !== undefined &&
        newType !== undefined &&
        type !== "any" &&
        newType !== "any" &&
        type !== newType
      ) {
        changes.push({
          kind: "state_retyped",
          path,
          breaking: true,
          message: `state field "${name}" changed type from ${type} to ${newType}: runs in flight hold a ${type}`,
        });
      }
    }
  }
  for (const name of Object.keys(previous.state_schema?.computed ?? {})) {
    if (!Object.hasOwn(computedAfter, name) && !after.has(name)) {
      changes.push({
        kind: "computed_removed",
        path: `computed.${name}`,
        breaking: true,
        message: `computed field "${name}" was removed: expressions of runs in flight read it`,
      });
    }
  }
  return changes;
}
