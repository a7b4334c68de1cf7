/**
 * @module
 * The public API of a run's state: paths, bindings for expressions, state updates, computed
 * fields, initial state and snapshots. Everything here is a pure function of its
 * arguments: no I/O, no clock, no Cloudflare imports.
 */

export { applyUpdates } from "./apply-updates.ts";
export {
  buildBindings,
  isBindableBareName,
  loopScope,
  readPath,
  thisScope,
} from "./bindings.ts";
export { recompute, type StateResult } from "./computed.ts";
export { type ComputedFieldPlan, computedFieldOrder, planComputedFields } from "./computed-order.ts";
export { type ComputedSource, parseComputedSource } from "./computed-sources.ts";
export {
  assertFitsDeclaredType,
  describeValue,
  fitsDeclaredType,
  hasType,
  mismatchMessage,
  type StateFieldTypes,
} from "./declared-types.ts";
export { FORBIDDEN_PATH_SEGMENTS } from "./forbidden-keys.ts";
export { checkInputs, initState } from "./init.ts";
export { getPath, setPath } from "./path-access.ts";
export {
  formatPath,
  type PathRoot,
  type PathSegment,
  resolvePath,
  resolveWriteTarget,
  type ScopeName,
  type StatePath,
  scopeOfRoot,
  type WriteTarget,
} from "./paths.ts";
export { LEGACY_ROOTS, PATH_ROOTS, SCOPE_NAMES, WRITABLE_ROOTS } from "./scope-names.ts";
export type {
  ComputedFieldSpec,
  ComputedFieldSpecs,
  ComputedOnError,
  DefaultStateSpec,
  InputFieldSpec,
  StateInitSpec,
  ValueTypeName,
} from "./specs.ts";
export type {
  EvaluationContext,
  LoopContext,
  ResolvedUpdate,
  StateData,
  UpdateOperation,
} from "./state-data.ts";
export { type StateSnapshot, snapshot } from "./state-snapshot.ts";
