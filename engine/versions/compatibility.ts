/**
 * @module
 * The compatibility comparer: given two parsed definitions of the same workflow (the previous
 * version and the next), every difference that matters to a run in flight, a caller or a trigger
 * of the previous version, each classified breaking or not (docs/versioning.md, "Compatibility").
 * Pure: no clock, no I/O; the definitions may carry publish's `resolved` plugin versions.
 */
import type { PublishedDefinition } from "../plugins/published.ts";
import { type CompatibilityChange, inReportOrder } from "./compatibility-change.ts";
import { inputChanges, stateChanges } from "./compatibility-fields.ts";
import { pluginMajorChanges, serviceChanges } from "./compatibility-services.ts";
import { stepChanges } from "./compatibility-steps.ts";
import { triggerChanges } from "./compatibility-triggers.ts";

export type { ChangeKind, CompatibilityChange } from "./compatibility-change.ts";

/** Every difference from `previous` to `next`, in report order (by kind, then path). */
export function compareDefinitions(
  previous: PublishedDefinition,
  next: PublishedDefinition,
): CompatibilityChange[] {
  return inReportOrder([
    ...inputChanges(previous, next),
    ...stateChanges(previous, next),
    ...stepChanges(previous, next),
    ...triggerChanges(previous, next),
    ...serviceChanges(previous, next),
    ...pluginMajorChanges(previous, next),
  ]);
}
