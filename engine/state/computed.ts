/**
 * @module
 * Recomputing computed fields. Each field, in dependency order, gathers its `input` (one `from`
 * gives the value, a list always gives an array), fingerprints it, and reruns its transform only
 * when the fingerprint differs from the one stored in `computedInputs`: that is what "recompute
 * when an input changes" means, and why a field reading `loop.*` is right in every iteration.
 * A transform sees `input` and the normal scopes, but only its `from` decides when it reruns.
 * A field whose `from` or transform reads `env` fails with `expression.env_not_allowed` whatever
 * its `on_error` says (a definition stored before publish refused it): never a silent fallback.
 * Must not mutate its arguments; unchanged state comes back as the same object.
 */
import { EngineError, isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { ENV_NOT_ALLOWED } from "../secrets/env-references.ts";
import { buildBindings } from "./bindings.ts";
import { type ComputedFieldPlan, planComputedFields } from "./computed-order.ts";
import { readComputedSource } from "./computed-sources.ts";
import { fingerprintValue } from "./fingerprint.ts";
import { assertNoPrototypeKeys } from "./forbidden-keys.ts";
import type { ComputedFieldSpecs } from "./specs.ts";
import type { EvaluationContext, StateData } from "./state-data.ts";

/** New state plus the errors of `on_error: propagate` fields (`state.computed_failed`). */
export interface StateResult {
  data: StateData;
  errors: EngineError[];
}

type FieldOutcome =
  | { kind: "value"; value: unknown; fingerprint: string }
  | { kind: "unchanged" }
  | { kind: "failed"; error: unknown; fingerprint: string | undefined };

/**
 * Brings every computed field up to date with `data` and `context`. On failure a field follows
 * its `on_error`: `use_fallback` (default) stores `fallback` (default null), `ignore` keeps the
 * previous value (null if none), `propagate` keeps the previous value and reports
 * `state.computed_failed`. Throws `state.computed_cycle` for cyclic specs.
 */
export function recompute(
  data: StateData,
  specs: ComputedFieldSpecs,
  evaluator: Evaluator,
  context: EvaluationContext = {},
): StateResult {
  const plans = planComputedFields(specs);
  const errors: EngineError[] = [];
  let current = data;
  let ownsCopies = false;
  let bindings: Readonly<Record<string, unknown>> | undefined;
  const currentBindings = () => {
    bindings ??= buildBindings(current, context, specs);
    return bindings;
  };

  const store = (name: string, value: unknown, fingerprint: string | undefined): void => {
    const valueChanged = !Object.hasOwn(current.computed, name) || !Object.is(current.computed[name], value);
    if (!valueChanged && current.computedInputs[name] === fingerprint) return;
    if (!ownsCopies) {
      current = {
        ...current,
        computed: { ...current.computed },
        computedInputs: { ...current.computedInputs },
      };
      ownsCopies = true;
    }
    current.computed[name] = value;
    if (fingerprint === undefined) delete current.computedInputs[name];
    else current.computedInputs[name] = fingerprint;
    if (valueChanged) bindings = undefined;
  };

  for (const plan of plans) {
    const outcome = evaluateField(plan, current, context, evaluator, currentBindings);
    if (outcome.kind === "unchanged") continue;
    if (outcome.kind === "value") {
      store(plan.name, outcome.value, outcome.fingerprint);
      continue;
    }
    if (isEngineError(outcome.error) && outcome.error.code === ENV_NOT_ALLOWED) {
      // a definition that reads secrets is refused whatever on_error says: never a silent fallback
      errors.push(envRefused(plan.name, outcome.error));
      continue;
    }
    const previous = Object.hasOwn(current.computed, plan.name) ? current.computed[plan.name] : null;
    switch (plan.spec.on_error ?? "use_fallback") {
      case "use_fallback":
        store(plan.name, plan.spec.fallback ?? null, outcome.fingerprint);
        break;
      case "ignore":
        store(plan.name, previous, outcome.fingerprint);
        break;
      case "propagate":
        errors.push(computedFailed(plan.name, outcome.error));
        break;
    }
  }
  return { data: current, errors };
}

function evaluateField(
  plan: ComputedFieldPlan,
  data: StateData,
  context: EvaluationContext,
  evaluator: Evaluator,
  bindings: () => Readonly<Record<string, unknown>>,
): FieldOutcome {
  let input: unknown;
  let fingerprint: string;
  try {
    const values = plan.sources.map((source) =>
      readComputedSource(source, data, context, evaluator, bindings),
    );
    input = plan.fromIsList ? values : values[0];
    fingerprint = `${plan.specKey}:${values.map(fingerprintValue).join(",")}`;
  } catch (error) {
    // No fingerprint: the field must be tried again however its inputs turn out next time.
    return { kind: "failed", error, fingerprint: undefined };
  }
  if (data.computedInputs[plan.name] === fingerprint && Object.hasOwn(data.computed, plan.name)) {
    return { kind: "unchanged" };
  }
  const transform = plan.spec.transform;
  if (transform === undefined) return { kind: "value", value: input, fingerprint };
  try {
    const value = evaluator.evaluate(transform, { ...bindings(), input });
    assertNoPrototypeKeys(value, `computed.${plan.name}`);
    return { kind: "value", value, fingerprint };
  } catch (error) {
    return { kind: "failed", error, fingerprint };
  }
}

function envRefused(name: string, cause: EngineError): EngineError {
  return new EngineError(ENV_NOT_ALLOWED, `computed field "${name}": ${cause.message}`, {
    path: `state_schema.computed.${name}`,
    cause,
  });
}

function computedFailed(name: string, cause: unknown): EngineError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EngineError("state.computed_failed", `computed field "${name}" failed: ${reason}`, {
    path: `state_schema.computed.${name}`,
    cause,
  });
}
