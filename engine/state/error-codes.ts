/**
 * @module
 * Codes of run state: reads and writes of `inputs`, `this`, `global` and computed fields, and the state's size cap.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const STATE_CODES = [
  "state.computed_cycle",
  "state.computed_failed",
  "state.forbidden_key",
  "state.index_out_of_range",
  "state.invalid_input",
  "state.invalid_operation",
  "state.invalid_path",
  "state.missing_input",
  "state.read_only",
  "state.too_large",
  "state.type_mismatch",
  "state.unknown_input",
  "state.unknown_scope",
] as const;

export type StateCode = (typeof STATE_CODES)[number];
