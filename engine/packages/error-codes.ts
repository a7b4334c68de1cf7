/**
 * @module
 * Codes of workflow packages (`workflow_export` with `format: "package"`, `workflow_import`): a
 * package that does not parse, is too big, fails a checksum or its signature, is signed by a key
 * the deployment does not trust, pins a plugin version the deployment lacks or
 * one its YAML's `uses:` range or configuration does not fit, or a deployment whose
 * package keys are misconfigured. Part of the closed set of error codes (engine/error-codes.ts);
 * worker/errors/codes.ts classifies each one and docs/versioning.md ("Export and import") documents it.
 */

export const PACKAGE_CODES = [
  "package.malformed",
  "package.too_large",
  "package.checksum_mismatch",
  "package.signature_invalid",
  "package.signature_required",
  "package.untrusted_key",
  "package.plugin_unavailable",
  "package.pin_mismatch",
  "package.keys_misconfigured",
] as const;

export type PackageCode = (typeof PACKAGE_CODES)[number];
