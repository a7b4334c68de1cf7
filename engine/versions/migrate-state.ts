/**
 * @module
 * The main thread's state moved to the target version: the migrations run over the state fields
 * (`run-migrations.ts`), then the target's declarations are applied: a state or global field the
 * old version declared (in `default_state` or `state_schema.state`) and the new one does not is
 * dropped; a field the new version declares in `default_state` and the run lacks gets its
 * default; inputs the new version does not declare are dropped and new ones take their default
 * (a required one without a default is `migrate.input_missing`); every input and state field is
 * checked against the new declared types (`migrate.type_mismatch`); computed fields are computed
 * anew by the new definition; the result must fit the run's state cap. The input is not modified.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { assertStateFits } from "../machine/state-size.ts";
import { recompute } from "../state/computed.ts";
import { fitsDeclaredType, mismatchMessage } from "../state/declared-types.ts";
import type { InputFieldSpec, ValueTypeName } from "../state/specs.ts";
import type { StateData } from "../state/state-data.ts";
import type { AppliedMigration, MigrationProblem } from "./migration-plan.ts";
import { runMigrations } from "./run-migrations.ts";

export interface MigrateStateOptions {
  data: StateData;
  from: WorkflowDefinition;
  to: WorkflowDefinition;
  fromVersion: string;
  toVersion: string;
  evaluator: Evaluator;
  /** the run's start event (computed fields may read `event`) */
  event: unknown;
  /** the run's state cap (`RunState.stateLimit`) */
  stateLimit?: number | undefined;
}

export type MigratedState =
  | { ok: true; data: StateData; applied: AppliedMigration[] }
  | { ok: false; problems: MigrationProblem[] };

export function migrateState(options: MigrateStateOptions): MigratedState {
  const { data, from, to } = options;
  const migrated = runMigrations({
    migrations: to.migrations,
    state: data.state,
    globals: data.global,
    fromVersion: options.fromVersion,
    toVersion: options.toVersion,
    evaluator: options.evaluator,
  });
  if (!migrated.ok) return migrated;
  const problems: MigrationProblem[] = [];
  const state = redeclare(
    migrated.state,
    declaredStateFields(from),
    declaredStateFields(to),
    to.default_state?.state,
  );
  const global = redeclare(
    structuredClone(data.global),
    new Set(Object.keys(from.default_state?.global ?? {})),
    new Set(Object.keys(to.default_state?.global ?? {})),
    to.default_state?.global,
  );
  const inputs = migrateInputs(data.inputs, to, problems);
  const types = to.state_schema?.state ?? {};
  for (const [field, value] of Object.entries(state)) {
    const declared = types[field];
    if (Object.hasOwn(types, field) && declared !== undefined && !fitsDeclaredType(value, declared)) {
      problems.push({
        code: "migrate.type_mismatch",
        message: mismatchMessage(`this.${field}`, declared, value, false),
        path: `state.${field}`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const computed = recompute(
    { inputs, state, global, computed: {}, computedInputs: {} },
    to.state_schema?.computed ?? {},
    options.evaluator,
    { config: to.config ?? {}, event: options.event },
  );
  if (computed.errors.length > 0) {
    return {
      ok: false,
      problems: computed.errors.map((error) => ({
        code: "migrate.computed_failed",
        message: error.message,
        ...(error.path === undefined ? {} : { path: error.path }),
      })),
    };
  }
  try {
    assertStateFits(computed.data, undefined, options.stateLimit);
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return { ok: false, problems: [{ code: "migrate.state_too_large", message: error.message }] };
  }
  return { ok: true, data: computed.data, applied: migrated.applied };
}

/** State fields a definition declares: its `default_state.state` and `state_schema.state` keys. */
function declaredStateFields(definition: WorkflowDefinition): Set<string> {
  return new Set([
    ...Object.keys(definition.default_state?.state ?? {}),
    ...Object.keys(definition.state_schema?.state ?? {}),
  ]);
}

/** `fields` (owned) without what only the old version declared, with the new defaults added. */
function redeclare(
  fields: Record<string, unknown>,
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  defaults: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  for (const field of before) if (!after.has(field)) delete fields[field];
  for (const [field, value] of Object.entries(defaults ?? {})) {
    if (!Object.hasOwn(fields, field)) fields[field] = structuredClone(value);
  }
  return fields;
}

function migrateInputs(
  given: Readonly<Record<string, unknown>>,
  to: WorkflowDefinition,
  problems: MigrationProblem[],
): Record<string, unknown> {
  const declared: Readonly<Record<string, InputFieldSpec | ValueTypeName>> = to.inputs ?? {};
  const stateDefaults = to.default_state?.inputs ?? {};
  const schemaTypes = to.state_schema?.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const name of [...new Set([...Object.keys(declared), ...Object.keys(stateDefaults)])].sort()) {
    const spec = declared[name];
    const field: InputFieldSpec | undefined = typeof spec === "string" ? { type: spec } : spec;
    let value: unknown;
    if (Object.hasOwn(given, name) && given[name] !== undefined) value = structuredClone(given[name]);
    else if (field?.default !== undefined) value = structuredClone(field.default);
    else if (Object.hasOwn(stateDefaults, name)) value = structuredClone(stateDefaults[name]);
    else {
      if (field !== undefined && field.required !== false) {
        problems.push({
          code: "migrate.input_missing",
          message: `input ${name} is required by the new version and the run has no value for it (give it a default)`,
          path: `inputs.${name}`,
        });
      }
      continue;
    }
    const type = [field?.type, Object.hasOwn(schemaTypes, name) ? schemaTypes[name] : undefined].find(
      (wanted) => wanted !== undefined && !fitsDeclaredType(value, wanted),
    );
    if (type !== undefined) {
      problems.push({
        code: "migrate.type_mismatch",
        message: mismatchMessage(`inputs.${name}`, type, value, false),
        path: `inputs.${name}`,
      });
    }
    inputs[name] = value;
  }
  return inputs;
}
