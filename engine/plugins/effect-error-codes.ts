/**
 * @module
 * Codes of calls to the outside world (`external_call`, `notify`, `external_state`): what a plugin
 * throws and what the effect runner reports. Part of the closed set (`ErrorCode`,
 * engine/error-codes.ts). Data only.
 *
 * Written on the firstparty branch with exactly the list the effects helper defines, so the
 * first-party plugins compile before the branches meet; the effects branch owns this file.
 */

export const EXTERNAL_CODES = [
  "external.failed",
  "external.timeout",
  "external.http_status",
  "external.too_large",
  "external.egress_refused",
  "external.circuit_open",
  "external.invalid_result",
] as const;

export type ExternalCode = (typeof EXTERNAL_CODES)[number];
