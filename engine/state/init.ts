/**
 * @module
 * A run's first state: inputs checked and defaulted, `default_state` copied in, computed fields
 * computed. Must not render templates or touch anything outside the returned state.
 */
import { EngineError, isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { recompute, type StateResult } from "./computed.ts";
import { assertFitsDeclaredType, hasType } from "./declared-types.ts";
import { assertNoPrototypeKeys, FORBIDDEN_PATH_SEGMENTS } from "./forbidden-keys.ts";
import type { InputFieldSpec, StateInitSpec, ValueTypeName } from "./specs.ts";
import type { EvaluationContext, StateData } from "./state-data.ts";
import { kindOf, withArticle } from "./value-kind.ts";

/**
 * Builds the initial state from a definition and the inputs `given` at start. An input's value is
 * the given one, else `inputs.<name>.default`, else `default_state.inputs.<name>`. Errors, all
 * reported together: `state.unknown_input` (given but not declared), `state.missing_input`
 * (required, no value, no default), `state.invalid_input` (not the type `inputs.<name>.type` or
 * `state_schema.inputs.<name>` declares), `state.forbidden_key`, `state.type_mismatch` (a
 * `default_state.state` field that does not fit its `state_schema.state` type);
 * when there are any, computed fields are not computed. Then `state.computed_failed` from
 * computed fields with `on_error: propagate`.
 */
export function initState(
  spec: StateInitSpec,
  given: Readonly<Record<string, unknown>>,
  evaluator: Evaluator,
  context: EvaluationContext = {},
): StateResult {
  const { inputs, errors } = resolveInputs(spec, given);
  const defaults = spec.default_state ?? {};
  const data: StateData = {
    inputs,
    state: structuredClone(defaults.state ?? {}),
    global: structuredClone(defaults.global ?? {}),
    computed: {},
    computedInputs: {},
  };
  collectErrors(errors, () => assertNoPrototypeKeys(data.state, "default_state.state"));
  collectErrors(errors, () => assertNoPrototypeKeys(data.global, "default_state.global"));
  const types = spec.state_schema?.state ?? {};
  for (const [field, value] of Object.entries(data.state)) {
    collectErrors(errors, () => assertFitsDeclaredType(types, field, value, `default_state.state.${field}`));
  }
  if (errors.length > 0) return { data, errors };
  return recompute(data, spec.state_schema?.computed ?? {}, evaluator, context);
}

/**
 * Checks the inputs `given` at start the way `initState` does, without computing anything: throws
 * the first problem (all of them in its message when there are several). Lets a caller refuse a
 * start before it allocates anything for the run.
 */
export function checkInputs(spec: StateInitSpec, given: Readonly<Record<string, unknown>>): void {
  const { errors } = resolveInputs(spec, given);
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1)
    throw new EngineError(errors[0]!.code, errors.map((error) => error.message).join("; "));
}

function resolveInputs(
  spec: StateInitSpec,
  given: Readonly<Record<string, unknown>>,
): { inputs: Record<string, unknown>; errors: EngineError[] } {
  const declared = spec.inputs ?? {};
  const stateDefaults = spec.default_state?.inputs ?? {};
  const schemaTypes = spec.state_schema?.inputs ?? {};
  const errors: EngineError[] = [];
  const unknown = Object.keys(given).filter(
    (name) => !Object.hasOwn(declared, name) && !Object.hasOwn(stateDefaults, name),
  );
  if (unknown.length > 0) {
    errors.push(
      new EngineError("state.unknown_input", `unknown input${plural(unknown)}: ${unknown.join(", ")}`, {
        path: `inputs.${unknown[0]}`,
      }),
    );
  }
  const inputs: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const name of new Set([...Object.keys(declared), ...Object.keys(stateDefaults)])) {
    if (FORBIDDEN_PATH_SEGMENTS.has(name)) {
      errors.push(
        new EngineError("state.forbidden_key", `"${name}" cannot be an input name`, {
          path: `inputs.${name}`,
        }),
      );
      continue;
    }
    const field = inputField(declared[name]);
    let value: unknown;
    if (Object.hasOwn(given, name) && given[name] !== undefined) value = given[name];
    else if (field?.default !== undefined) value = structuredClone(field.default);
    else if (Object.hasOwn(stateDefaults, name)) value = structuredClone(stateDefaults[name]);
    else {
      if (field !== undefined && field.required !== false) missing.push(name);
      continue;
    }
    const schemaType = Object.hasOwn(schemaTypes, name) ? schemaTypes[name] : undefined;
    const type = [field?.type, schemaType].find(
      (declared) => declared !== undefined && !hasType(value, declared),
    );
    if (type !== undefined) {
      errors.push(
        new EngineError(
          "state.invalid_input",
          `input ${name} must be ${withArticle(type)}, got ${kindOf(value)}`,
          {
            path: `inputs.${name}`,
          },
        ),
      );
    }
    collectErrors(errors, () => assertNoPrototypeKeys(value, `inputs.${name}`));
    inputs[name] = value;
  }
  if (missing.length > 0) {
    errors.push(
      new EngineError(
        "state.missing_input",
        `missing required input${plural(missing)}: ${missing.join(", ")}`,
        {
          path: `inputs.${missing[0]}`,
        },
      ),
    );
  }
  return { inputs, errors };
}

function inputField(spec: InputFieldSpec | ValueTypeName | undefined): InputFieldSpec | undefined {
  return typeof spec === "string" ? { type: spec } : spec;
}

function plural(names: readonly string[]): string {
  return names.length === 1 ? "" : "s";
}

function collectErrors(errors: EngineError[], check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!isEngineError(error)) throw error;
    errors.push(error);
  }
}
