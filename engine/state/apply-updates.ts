/**
 * @module
 * Applying resolved state updates (`set`, `increment`, `decrement`, `append`, `multiply`,
 * `merge`) to a run's state, all or nothing, then recomputing computed fields.
 * Must not mutate its arguments or evaluate update values (they arrive resolved).
 */
import { EngineError, isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { recompute, type StateResult } from "./computed.ts";
import { assertFitsDeclaredType, type StateFieldTypes } from "./declared-types.ts";
import { assertNoPrototypeKeys } from "./forbidden-keys.ts";
import { getPath, setPath } from "./path-access.ts";
import { resolveWriteTarget, type WriteTarget } from "./paths.ts";
import type { ComputedFieldSpecs } from "./specs.ts";
import type { EvaluationContext, ResolvedUpdate, StateData, UpdateOperation } from "./state-data.ts";
import { isPlainRecord, kindOf } from "./value-kind.ts";

/**
 * Applies `updates` in order (later ones see earlier ones), then recomputes computed fields.
 * All or nothing: when any update or a `propagate` computed field fails, the result holds the
 * original `data` and the errors (the first failing update, or every `state.computed_failed`).
 * A `this` field declared in `types` (`state_schema.state`) must still fit its type after each
 * update (`state.type_mismatch` naming the field, its type and what came; `null` always fits).
 * Update errors: `state.read_only`, `state.type_mismatch`, `state.invalid_operation`,
 * `state.invalid_path`, `state.unknown_scope`, `state.forbidden_key`, `state.index_out_of_range`.
 */
export function applyUpdates(
  data: StateData,
  updates: readonly ResolvedUpdate[],
  computed: ComputedFieldSpecs,
  evaluator: Evaluator,
  context: EvaluationContext = {},
  types: StateFieldTypes = {},
): StateResult {
  if (updates.length === 0) return { data, errors: [] };
  let state = data.state;
  let global = data.global;
  try {
    for (const update of updates) {
      const target = resolveWriteTarget(update.path, data.inputs, computed);
      if (target.tier === "global") {
        global = applyOperation(global, target, update);
        continue;
      }
      state = applyOperation(state, target, update);
      const field = String(target.segments[0]);
      assertFitsDeclaredType(types, field, state[field], fieldName(target, field));
    }
  } catch (error) {
    if (isEngineError(error)) return { data, errors: [error] };
    throw error;
  }
  const recomputed = recompute({ ...data, state, global }, computed, evaluator, context);
  return recomputed.errors.length === 0 ? recomputed : { data, errors: recomputed.errors };
}

/** The field as the path wrote it: `this.x`, or `state.x` / `raw.x` in a legacy path. */
function fieldName(target: WriteTarget, field: string): string {
  const root = /^[A-Za-z_$][\w$]*/.exec(target.text)?.[0] ?? "this";
  return `${root}.${field}`;
}

function applyOperation(
  tier: Readonly<Record<string, unknown>>,
  target: WriteTarget,
  update: ResolvedUpdate,
): Record<string, unknown> {
  const path = target.text;
  const current = getPath(tier, target.segments);
  const operation: UpdateOperation = update.operation ?? "set";
  assertNoPrototypeKeys(update.value, path);
  return setPath(tier, target.segments, nextValue(operation, current, update.value, path), path);
}

function nextValue(operation: UpdateOperation, current: unknown, value: unknown, path: string): unknown {
  switch (operation) {
    case "set":
      return value;
    case "increment":
      return finite(
        numericTarget(current, operation, path) + numericValue(value ?? 1, operation, path),
        path,
      );
    case "decrement":
      return finite(
        numericTarget(current, operation, path) - numericValue(value ?? 1, operation, path),
        path,
      );
    case "multiply":
      return finite(
        numericTarget(current, operation, path) * numericValue(value ?? 1, operation, path),
        path,
      );
    case "append":
      if (current === undefined || current === null) return [value];
      if (!Array.isArray(current)) throw mismatch(path, `append needs an array, found ${kindOf(current)}`);
      return [...current, value];
    case "merge":
      if (!isPlainRecord(value)) throw mismatch(path, `merge needs an object value, got ${kindOf(value)}`);
      if (current === undefined || current === null) return { ...value };
      if (!isPlainRecord(current)) throw mismatch(path, `merge needs an object, found ${kindOf(current)}`);
      return { ...current, ...value };
    default:
      throw new EngineError(
        "state.invalid_operation",
        `unknown operation "${String(operation)}" for ${path} (set, increment, decrement, append, multiply, merge)`,
        { path },
      );
  }
}

/** A missing field counts as 0 for the numeric operations. */
function numericTarget(current: unknown, operation: string, path: string): number {
  if (current === undefined || current === null) return 0;
  if (typeof current === "number") return current;
  throw mismatch(path, `${operation} needs a number, found ${kindOf(current)}`);
}

function numericValue(value: unknown, operation: string, path: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw mismatch(path, `${operation} needs a finite number as value, got ${kindOf(value)}`);
}

function finite(result: number, path: string): number {
  if (Number.isFinite(result)) return result;
  throw mismatch(path, `the result ${result} is not a finite number`);
}

function mismatch(path: string, why: string): EngineError {
  return new EngineError("state.type_mismatch", `cannot update ${path}: ${why}`, { path });
}
