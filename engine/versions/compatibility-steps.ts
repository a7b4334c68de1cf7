/**
 * @module
 * Differences in the steps: each step id is located by the list that holds it (`steps`, a
 * branch or body of a parent step, a sub-agent task's or dependency task's list). A run's
 * position is a step id within a list, so an id that disappears or changes list leaves a run in
 * flight at that step with no place in the new version.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { CHILD_STEP_KEYS, isPlainRecord, stepListRoots } from "../loader/step-walk.ts";
import type { CompatibilityChange } from "./compatibility-change.ts";

interface StepPlace {
  type: string;
  /** the list holding the step: `steps`, `<parent id>.then_steps`, `sub_agent_tasks.<name>.steps`, ... */
  list: string;
}

/** Every step id with its type and list (ids are unique per file: the loader refuses duplicates). */
export function stepPlaces(definition: WorkflowDefinition): Map<string, StepPlace> {
  const places = new Map<string, StepPlace>();
  const visit = (steps: unknown, list: string) => {
    if (!Array.isArray(steps)) return;
    for (const step of steps) {
      if (!isPlainRecord(step) || typeof step.id !== "string") continue;
      places.set(step.id, { type: String(step.type), list });
      for (const key of CHILD_STEP_KEYS) visit(step[key], `${step.id}.${key}`);
    }
  };
  for (const root of stepListRoots(definition)) visit(root.steps, root.owner);
  return places;
}

export function stepChanges(previous: WorkflowDefinition, next: WorkflowDefinition): CompatibilityChange[] {
  const before = stepPlaces(previous);
  const after = stepPlaces(next);
  const changes: CompatibilityChange[] = [];
  for (const [id, place] of before) {
    const path = `steps.${id}`;
    const now = after.get(id);
    if (now === undefined) {
      changes.push({
        kind: "step_removed",
        path,
        breaking: true,
        message: `step "${id}" was removed: a run in flight at it has no place in the new version`,
      });
      continue;
    }
    if (now.list !== place.list) {
      changes.push({
        kind: "step_moved",
        path,
        breaking: true,
        message: `step "${id}" moved from ${place.list} to ${now.list}: a run in flight at it would continue elsewhere`,
      });
    }
    if (now.type !== place.type) {
      changes.push({
        kind: "step_retyped",
        path,
        breaking: true,
        message: `step "${id}" changed type from ${place.type} to ${now.type}: a run in flight waiting on it expects the old kind of result`,
      });
    }
  }
  for (const [id, place] of after) {
    if (!before.has(id)) {
      changes.push({
        kind: "step_added",
        path: `steps.${id}`,
        breaking: false,
        message: `new step "${id}" in ${place.list}`,
      });
    }
  }
  return changes;
}
