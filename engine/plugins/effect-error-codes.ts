/**
 * @module
 * Codes of an effect that left the run (`external_call`, `notify`, `on_complete`/`on_failure`,
 * `external_state`) and came back failed. Part of the closed set (`ErrorCode`,
 * engine/error-codes.ts); each is classified in worker/errors/codes.ts and documented in the
 * `## Error codes` table of docs/plugins.md.
 */

export const EFFECT_CODES = [
  "external.circuit_open",
  "external.egress_refused",
  "external.failed",
  "external.http_status",
  "external.invalid_result",
  "external.no_plugin",
  "external.no_service",
  "external.timeout",
  "external.too_large",
] as const;

export type EffectCode = (typeof EFFECT_CODES)[number];

/** Failures where the same call later may succeed (the step's `retry` strategy applies to all). */
export const TRANSIENT_EFFECT_CODES: ReadonlySet<EffectCode> = new Set([
  "external.failed",
  "external.http_status",
  "external.timeout",
  "external.circuit_open",
]);
