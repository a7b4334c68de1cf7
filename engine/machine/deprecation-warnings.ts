/**
 * @module
 * Run warnings for the `deprecated_features` a run's version uses (docs/versioning.md,
 * "Compatibility"): at start, one per entry that names something in the definition (the start
 * answer and `workflow_get_status` show them); when a step an entry names (by id or by step type)
 * is handed out, one in that `workflow_get_next_step` answer, once per step per run (while the
 * run's warning list still holds it). Free-text entries are warned at publish only.
 */
import type { Step, WorkflowDefinition } from "../dialect/index.ts";
import {
  type DeprecatedFeature,
  describeDeprecation,
  usedDeprecations,
} from "../versions/compatibility-deprecations.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { addWarning } from "./warnings.ts";

const CODE = "version.deprecated_feature";

/** Definitions are immutable once loaded: what each uses is worked out once. */
const usedByDefinition = new WeakMap<WorkflowDefinition, DeprecatedFeature[]>();

function usedOf(definition: WorkflowDefinition): DeprecatedFeature[] {
  let used = usedByDefinition.get(definition);
  if (used === undefined) {
    used = usedDeprecations(definition);
    usedByDefinition.set(definition, used);
  }
  return used;
}

export function warnDeprecationsAtStart(scope: ThreadScope): void {
  for (const feature of usedOf(scope.definition)) {
    addWarning(scope, {
      code: CODE,
      message: `${describeDeprecation(feature)} in ${scope.definition.name} ${scope.definition.version}`,
    });
  }
}

export function warnDeprecatedStep(scope: ThreadScope, step: Step): void {
  const named = usedOf(scope.definition).filter((feature) =>
    feature.targets.some(
      ({ space, name }) =>
        (space === "steps" && name === step.id) || (space === "types" && name === step.type),
    ),
  );
  if (named.length === 0) return;
  if (scope.run.warnings?.some((warning) => warning.code === CODE && warning.step_id === step.id)) return;
  addWarning(scope, {
    code: CODE,
    message: `step ${step.id}: ${named.map(describeDeprecation).join("; ")}`,
    step_id: step.id,
  });
}
