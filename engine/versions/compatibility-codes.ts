/**
 * @module
 * Codes of the compatibility check at publish (docs/versioning.md, "Compatibility"). Part of the
 * closed set of error codes (`ErrorCode`, engine/error-codes.ts).
 */
export const COMPATIBILITY_CODES = [
  /** a breaking change without a major version bump and not declared in `breaking_changes` */
  "publish.breaking_change",
  /** a warning: the version lists `deprecated_features` */
  "publish.deprecated_feature",
] as const;
export type CompatibilityCode = (typeof COMPATIBILITY_CODES)[number];
