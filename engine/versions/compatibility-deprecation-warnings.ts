/**
 * @module
 * The publish-time warnings of `deprecated_features` (docs/versioning.md, "Deprecated features"):
 * one `version.deprecated_feature` per entry, placed on the entry, saying what it names and when
 * runs are warned about it. Shared by `workflow_publish`, `workflow_validate` and `edgeflow validate`.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import type { Diagnostic } from "../loader/diagnostic.ts";
import { locate, parseYamlSource } from "../loader/yaml-source.ts";
import {
  type DeprecatedFeature,
  deprecatedFeatures,
  describeDeprecation,
} from "./compatibility-deprecations.ts";

function whenWarned(feature: DeprecatedFeature): string {
  if (feature.targets.length === 0) return "warned at publish only";
  const onSteps = feature.targets.some((target) => target.space === "steps" || target.space === "types");
  return onSteps
    ? "runs of this version are warned at start and when the step is handed out"
    : "runs of this version are warned at start";
}

export function deprecationWarnings(yaml: string, definition: WorkflowDefinition): Diagnostic[] {
  const features = deprecatedFeatures(definition);
  if (features.length === 0) return [];
  const parsed = parseYamlSource(yaml);
  return features.map((feature) => {
    const position = parsed.ok ? locate(parsed.source, ["deprecated_features", feature.index]) : undefined;
    return {
      code: "version.deprecated_feature",
      message: `${describeDeprecation(feature)}: ${whenWarned(feature)}`,
      severity: "warning",
      path: `deprecated_features[${feature.index}]`,
      ...position,
    };
  });
}
