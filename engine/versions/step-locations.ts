/**
 * @module
 * Where each step id of a definition is (its index path), to tell a step that is gone from one
 * that moved. Step ids are unique across a workflow (the loader's `loader.duplicate_step_id`);
 * were one repeated, the first place in file order wins.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { walkSteps } from "../loader/step-walk.ts";
import type { Ref } from "../machine/definition.ts";

/** Every step id of `definition` with its path (`["steps", 2, "body", 0]`). */
export function stepLocations(definition: WorkflowDefinition): ReadonlyMap<string, Ref> {
  const locations = new Map<string, Ref>();
  walkSteps(definition, ({ step, path }) => {
    if (typeof step.id === "string" && !locations.has(step.id)) locations.set(step.id, [...path]);
  });
  return locations;
}
