/**
 * @module
 * Groups of step types the static checks reason about.
 */

/** Steps that run inside the engine's turn: only the slice boundaries let anything act between two passes. */
export const SAME_TURN_STEPS: ReadonlySet<string> = new Set([
  "set_state",
  "conditional",
  "while_loop",
  "foreach",
  "break",
  "continue",
]);

/** Server steps that have no result: their state updates see no result fields. */
export const STEPS_WITHOUT_RESULT: ReadonlySet<string> = new Set([...SAME_TURN_STEPS, "wait_step"]);
