/**
 * @module
 * One difference between two versions of a workflow, as the compatibility comparer reports it
 * (`compatibility.ts`): what kind, where (a logical path such as `inputs.repo` or `steps.build`),
 * whether it breaks a run in flight or a caller/trigger of the previous version, and why. Pure
 * data: no clock, no I/O.
 */

/** Every kind of difference, in the order a report lists them. */
export const CHANGE_KINDS = [
  "input_added",
  "input_removed",
  "input_retyped",
  "input_now_required",
  "input_validation_changed",
  "state_removed",
  "state_retyped",
  "computed_removed",
  "step_added",
  "step_removed",
  "step_moved",
  "step_retyped",
  "trigger_added",
  "trigger_removed",
  "trigger_changed",
  "service_added",
  "service_removed",
  "service_changed",
  "plugin_major_changed",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface CompatibilityChange {
  kind: ChangeKind;
  /** a logical path: `inputs.<name>`, `state.<field>`, `computed.<field>`, `steps.<id>`, `triggers.<key>`, `services.<name>` */
  path: string;
  /** whether a run in flight, a caller or a trigger of the previous version can fail because of it */
  breaking: boolean;
  message: string;
}

/** A report in a stable order: by kind (as `CHANGE_KINDS` lists them), then by path. */
export function inReportOrder(changes: CompatibilityChange[]): CompatibilityChange[] {
  const rank = (kind: ChangeKind) => CHANGE_KINDS.indexOf(kind);
  return changes.sort(
    (a, b) => rank(a.kind) - rank(b.kind) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
