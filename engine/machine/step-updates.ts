/**
 * @module
 * A step's embedded `state_update` / `state_updates`: evaluating their values and applying them
 * to the thread's state (all or nothing, computed fields recomputed by the state module).
 *
 * On a server step a value is a literal or a template. On a completed client step it may also be
 * an expression over the step's result (`response.fixes`, `stdout`, `success && !errors`); a plain
 * string that is not valid JavaScript, or names nothing in scope, is kept as the string itself.
 */

import type { StateUpdateSpec, Step } from "../dialect/index.ts";
import { EngineError, isEngineError } from "../errors.ts";
import { hasTemplate } from "../expressions/template.ts";
import { applyUpdates, type StateFieldTypes } from "../state/index.ts";
import type { LoopContext, ResolvedUpdate, UpdateOperation } from "../state/state-data.ts";
import { computedFieldsFor, subAgentTask } from "./definition.ts";
import { assertStateFits } from "./state-size.ts";
import { evaluateExpression, evaluationContext, renderValue, type ThreadScope } from "./thread-scope.ts";
import { WORK_UNITS } from "./work-meter.ts";

const OPERATIONS = new Set<string>(["set", "increment", "decrement", "append", "multiply", "merge"]);

export function updateSpecsOf(step: Step): StateUpdateSpec[] {
  const specs: StateUpdateSpec[] = [];
  if (step.state_update) specs.push(step.state_update);
  if (step.state_updates) specs.push(...step.state_updates);
  return specs;
}

export interface ResolveOptions {
  /** bare names from a completed client step's result */
  locals?: Record<string, unknown>;
  /** evaluate plain strings as expressions over `locals` (client results) */
  expressions?: boolean;
  loop?: LoopContext;
}

export function resolveUpdates(
  scope: ThreadScope,
  specs: StateUpdateSpec[],
  options: ResolveOptions = {},
): ResolvedUpdate[] {
  return specs.map((spec) => ({
    path: spec.path,
    value: resolveValue(scope, spec.value, options),
    operation: operationOf(spec.operation),
  }));
}

function resolveValue(scope: ThreadScope, value: unknown, options: ResolveOptions): unknown {
  if (typeof value !== "string" || hasTemplate(value) || !options.expressions) {
    return renderValue(scope, value, options.locals, options.loop);
  }
  try {
    return evaluateExpression(scope, value, options.locals, options.loop);
  } catch (error) {
    if (isEngineError(error) && isNotAnExpression(error)) return value;
    throw error;
  }
}

/** A syntax error, or a reference to a name that does not exist: the text was meant literally. */
function isNotAnExpression(error: EngineError): boolean {
  return error.code === "expression.syntax" || /ReferenceError/.test(error.message);
}

export function operationOf(operation: string | undefined): UpdateOperation {
  const name = operation ?? "set";
  if (!OPERATIONS.has(name)) {
    throw new EngineError("state.invalid_operation", `unknown state update operation "${name}"`);
  }
  return name as UpdateOperation;
}

/**
 * Applies resolved updates to the thread's state; throws the first error, changing nothing. A
 * value that does not fit its field's declared type is `state.type_mismatch`; a state past its
 * size cap is `state.too_large`; the write's cost grows with the state's size.
 */
export function applyToThread(scope: ThreadScope, updates: ResolvedUpdate[], loop?: LoopContext): void {
  if (updates.length === 0) return;
  const context = evaluationContext(scope);
  if (loop) context.loop = loop;
  const { data, errors } = applyUpdates(
    scope.thread.state,
    updates,
    computedFieldsFor(scope.definition, scope.thread),
    scope.machine.evaluator,
    context,
    stateTypesFor(scope),
  );
  if (errors.length > 0) throw errors[0]!;
  assertStateFits(
    data,
    (bytes) => scope.machine.meter?.charge(Math.floor(bytes / WORK_UNITS.stateBytesPerUnit)),
    scope.run.stateLimit,
  );
  scope.thread.state = data;
}

/** The declared types of the thread's `this` fields: its sub-agent task's `state_schema.state`, or the workflow's. */
function stateTypesFor(scope: ThreadScope): StateFieldTypes {
  const { definition, thread } = scope;
  const task = "task" in thread ? thread.task : undefined;
  const schema = task === undefined ? definition.state_schema : subAgentTask(definition, task).state_schema;
  return schema?.state ?? {};
}
