/**
 * @module
 * Codes of an effect that left the run (`external_call`, `notify`, `on_complete`/`on_failure`,
 * `external_state`) and came back failed. Part of the closed set (`ErrorCode`,
 * engine/error-codes.ts); each is classified in worker/errors/codes.ts and documented in the
 * `## Error codes` table of docs/plugins.md.
 */

export const EXTERNAL_CODES = [
  "external.circuit_open",
  "external.egress_refused",
  "external.failed",
  "external.http_status",
  "external.invalid_params",
  "external.invalid_result",
  "external.no_plugin",
  "external.no_service",
  "external.timeout",
  "external.too_large",
] as const;

export type ExternalCode = (typeof EXTERNAL_CODES)[number];

/** Failures of the target itself: they count against the service's circuit breaker. */
export const TRANSIENT_EXTERNAL_CODES: ReadonlySet<string> = new Set<ExternalCode>([
  "external.failed",
  "external.http_status",
  "external.timeout",
  "external.circuit_open",
]);
