/**
 * @module
 * Defaults that do not fit their declared types, found when a file is loaded (validate and
 * publish), so no run starts from a state its own schema refuses: a `default_state.state` field
 * against `state_schema.state` (`null` fits any type, as on every write), an input's `default` and
 * `default_state.inputs.<name>` against `inputs.<name>.type` and `state_schema.inputs.<name>`. For
 * the workflow and for each sub-agent task; `loader.invalid_type` at the default's line and column.
 * Reads the raw document; evaluates nothing.
 */
import { fitsDeclaredType, hasType, mismatchMessage } from "../state/declared-types.ts";
import { kindOf, withArticle } from "../state/value-kind.ts";
import { errorFinding, type Finding } from "./diagnostic.ts";
import { isPlainRecord } from "./step-walk.ts";

type Path = (string | number)[];

export function checkDefaultStateTypes(document: unknown): Finding[] {
  if (!isPlainRecord(document)) return [];
  const findings = definitionFindings(document, []);
  if (isPlainRecord(document.sub_agent_tasks)) {
    for (const [name, task] of Object.entries(document.sub_agent_tasks)) {
      if (isPlainRecord(task)) findings.push(...definitionFindings(task, ["sub_agent_tasks", name]));
    }
  }
  return findings;
}

/** The findings of one definition (the workflow, or a sub-agent task) at `base`. */
function definitionFindings(definition: Record<string, unknown>, base: Path): Finding[] {
  const schema = record(definition.state_schema);
  const defaults = record(definition.default_state);
  return [
    ...stateDefaultFindings(record(defaults.state), record(schema.state), [
      ...base,
      "default_state",
      "state",
    ]),
    ...inputDefaultFindings(definition, record(schema.inputs), record(defaults.inputs), base),
  ];
}

function stateDefaultFindings(
  values: Record<string, unknown>,
  types: Record<string, unknown>,
  at: Path,
): Finding[] {
  const findings: Finding[] = [];
  for (const [field, value] of Object.entries(values)) {
    const declared = typeOf(types, field);
    if (declared === undefined || fitsDeclaredType(value, declared)) continue;
    findings.push(
      errorFinding("loader.invalid_type", mismatchMessage(`this.${field}`, declared, value, false), [
        ...at,
        field,
      ]),
    );
  }
  return findings;
}

function inputDefaultFindings(
  definition: Record<string, unknown>,
  schemaTypes: Record<string, unknown>,
  stateDefaults: Record<string, unknown>,
  base: Path,
): Finding[] {
  const findings: Finding[] = [];
  const inputs = record(definition.inputs);
  const check = (name: string, value: unknown, at: Path) => {
    const input = inputs[name];
    const inputType = typeof input === "string" ? input : typeOf(record(input), "type");
    for (const declared of [inputType, typeOf(schemaTypes, name)]) {
      if (declared === undefined || hasType(value, declared)) continue;
      findings.push(
        errorFinding(
          "loader.invalid_type",
          `the default of input ${name} must be ${withArticle(declared)}, got ${kindOf(value)}`,
          at,
        ),
      );
      return;
    }
  };
  for (const [name, input] of Object.entries(inputs)) {
    if (isPlainRecord(input) && Object.hasOwn(input, "default") && input.default !== undefined)
      check(name, input.default, [...base, "inputs", name, "default"]);
  }
  for (const [name, value] of Object.entries(stateDefaults)) {
    check(name, value, [...base, "default_state", "inputs", name]);
  }
  return findings;
}

function record(value: unknown): Record<string, unknown> {
  return isPlainRecord(value) ? value : {};
}

/** A type name declared under `key`, if any. */
function typeOf(types: Record<string, unknown>, key: string): string | undefined {
  const declared = Object.hasOwn(types, key) ? types[key] : undefined;
  return typeof declared === "string" ? declared : undefined;
}
