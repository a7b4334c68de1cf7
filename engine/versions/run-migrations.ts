/**
 * @module
 * Runs the `migrations:` entries of the target version over a run's state fields. Entries run in
 * list order, each once at most: an entry applies when its `from` range is satisfied by the run's
 * current version, which then becomes its `to`; the walk stops as soon as the current version is
 * the target's (so a run already on it runs none). An entry's `operations` run first, then its
 * `script`: one `{{ expression }}` evaluated in the sandbox with the run's budgets, seeing
 * `state` (the state fields), `globals`, `from_version` and `to_version`, without `Date`,
 * `performance` or `Math.random` (`deterministic-script.ts`: a dry run predicts the apply), and
 * returning the new state fields (a key whose value is `undefined` is dropped). Any failure ends the walk with a
 * coded problem; the fields handed in are never modified. String entries (prose) do not run.
 */
import semver from "semver";
import type { Migration, MigrationStep } from "../dialect/index.ts";
import { isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { parseTemplate } from "../expressions/template.ts";
import { assertNoPrototypeKeys } from "../state/forbidden-keys.ts";
import { deterministicScriptSource, nondeterminismHint } from "./deterministic-script.ts";
import type { AppliedMigration, MigrationProblem } from "./migration-plan.ts";
import { applyOperation, isPlainObject, OperationError } from "./state-operations.ts";

export interface RunMigrationsOptions {
  migrations: readonly Migration[] | undefined;
  /** the run's state fields before (not modified) */
  state: Readonly<Record<string, unknown>>;
  globals: Readonly<Record<string, unknown>>;
  fromVersion: string;
  toVersion: string;
  evaluator: Evaluator;
}

export type MigrationsOutcome =
  | { ok: true; state: Record<string, unknown>; applied: AppliedMigration[] }
  | { ok: false; problems: MigrationProblem[] };

export function runMigrations(options: RunMigrationsOptions): MigrationsOutcome {
  let state = structuredClone(options.state) as Record<string, unknown>;
  const applied: AppliedMigration[] = [];
  let current = options.fromVersion;
  for (const [index, migration] of (options.migrations ?? []).entries()) {
    if (current === options.toVersion) break;
    if (typeof migration === "string" || !appliesTo(migration, current)) continue;
    const path = `migrations[${index}]`;
    const problem = (code: MigrationProblem["code"], message: string): MigrationsOutcome => ({
      ok: false,
      problems: [{ code, message: `${path} (${migration.from} → ${migration.to}): ${message}`, path }],
    });
    for (const operation of migration.operations ?? []) {
      try {
        applyOperation(state, operation);
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        return problem("migrate.operation_failed", error.message);
      }
    }
    if (migration.script !== undefined) {
      const outcome = runScript(migration, state, options, current);
      if (!outcome.ok) return problem(outcome.code, outcome.message);
      state = outcome.state;
    }
    applied.push({
      index,
      from: migration.from,
      to: migration.to,
      applied_to: current,
      ...(migration.description === undefined ? {} : { description: migration.description }),
      operations: migration.operations?.length ?? 0,
      script: migration.script !== undefined,
    });
    current = migration.to;
  }
  return { ok: true, state, applied };
}

function appliesTo(migration: MigrationStep, version: string): boolean {
  return (
    semver.validRange(migration.from) !== null &&
    semver.satisfies(version, migration.from, { includePrerelease: true })
  );
}

/** The one expression of a script (`{{ expr }}` with nothing around it), or undefined. */
export function scriptSource(script: string): string | undefined {
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(script.trim());
  } catch {
    return undefined;
  }
  const [only] = parts;
  return parts.length === 1 && only?.kind === "expression" ? only.source : undefined;
}

type ScriptOutcome =
  | { ok: true; state: Record<string, unknown> }
  | { ok: false; code: MigrationProblem["code"]; message: string };

function runScript(
  migration: MigrationStep,
  state: Record<string, unknown>,
  options: RunMigrationsOptions,
  current: string,
): ScriptOutcome {
  const source = scriptSource(migration.script!);
  if (source === undefined)
    return { ok: false, code: "migrate.bad_script", message: "script is not one {{ expression }}" };
  let value: unknown;
  try {
    value = options.evaluator.evaluate(deterministicScriptSource(source), {
      state,
      globals: options.globals,
      from_version: current,
      to_version: migration.to,
    });
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return {
      ok: false,
      code: "migrate.script_failed",
      message: `the script failed: ${error.code}: ${error.message}${nondeterminismHint(source)}`,
    };
  }
  if (!isPlainObject(value)) {
    return {
      ok: false,
      code: "migrate.script_result",
      message: "the script must return an object of state fields",
    };
  }
  const fields = Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
  try {
    assertNoPrototypeKeys(fields, "state");
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return { ok: false, code: "migrate.script_result", message: error.message };
  }
  return { ok: true, state: fields };
}
