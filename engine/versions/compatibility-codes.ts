/**
 * @module
 * Codes of the compatibility check at publish (docs/versioning.md, "Compatibility"). Part of the
 * closed set of error codes (`ErrorCode`, engine/error-codes.ts).
 */
export const COMPATIBILITY_CODES = [
  /** a breaking change without a major version bump and not declared in `breaking_changes` */
  "publish.breaking_change",
  /** a warning (at publish, at start, at workflow_get_next_step): the version declares a feature it has deprecated */
  "version.deprecated_feature",
] as const;
export type CompatibilityCode = (typeof COMPATIBILITY_CODES)[number];
