/**
 * @module
 * The closed set of error codes: every code an `EngineError`, an `ErrorShape` or a diagnostic may
 * carry is a member of `ErrorCode`. Each area lists its own codes beside its code; this module only
 * joins them. A new code is added to its area's list, classified in worker/errors/codes.ts (the
 * compiler insists) and documented in a docs table (test/unit/errors/documented-codes.test.ts insists).
 */
import { AUDIT_CODES, type AuditCode } from "./audit/error-codes.ts";
import { EVENT_CODES, type EventCode } from "./events/error-codes.ts";
import { EXPRESSION_CODES, type ExpressionCode } from "./expressions/error-codes.ts";
import { GRAPH_CODES, type GraphCode } from "./graph/error-codes.ts";
import { HISTORY_CODES, type HistoryCode } from "./history/error-codes.ts";
import { CHECK_CODES, DEPRECATION_CODES, LOADER_CODES, type LoaderCode } from "./loader/error-codes.ts";
import { RUN_CODES, type RunCode } from "./machine/error-codes.ts";
import { PACKAGE_CODES, type PackageCode } from "./packages/error-codes.ts";
import { EXTERNAL_CODES, type ExternalCode } from "./plugins/effect-error-codes.ts";
import { PLUGIN_CODES, type PluginCode, SERVICE_CODES, type ServiceCode } from "./plugins/error-codes.ts";
import { RATE_LIMIT_CODES, type RateLimitCode } from "./rate-limits/error-codes.ts";
import { RELEASE_CODES, type ReleaseCode } from "./release/error-codes.ts";
import { RUNTIME_CODES, type RuntimeCode } from "./runtime-error-codes.ts";
import { SECRET_REFERENCE_CODES, type SecretReferenceCode } from "./secrets/error-codes.ts";
import { STATE_CODES, type StateCode } from "./state/error-codes.ts";
import { COMPATIBILITY_CODES, type CompatibilityCode } from "./versions/compatibility-codes.ts";
import { MIGRATION_CODES, type MigrationCode } from "./versions/error-codes.ts";
import { MIGRATE_CODES, type MigrateCode } from "./versions/migrate-codes.ts";

export type ErrorCode =
  | LoaderCode
  | ExpressionCode
  | StateCode
  | RunCode
  | GraphCode
  | EventCode
  | SecretReferenceCode
  | RuntimeCode
  | ExternalCode
  | PluginCode
  | ServiceCode
  | RateLimitCode
  | AuditCode
  | PackageCode
  | ReleaseCode
  | HistoryCode
  | MigrationCode
  | CompatibilityCode
  | MigrateCode;

/** Every code once, for tests and tools that walk the whole set. */
export const ERROR_CODES: readonly ErrorCode[] = [
  ...LOADER_CODES,
  ...DEPRECATION_CODES,
  ...CHECK_CODES,
  ...EXPRESSION_CODES,
  ...STATE_CODES,
  ...RUN_CODES,
  ...GRAPH_CODES,
  ...EVENT_CODES,
  ...SECRET_REFERENCE_CODES,
  ...RUNTIME_CODES,
  ...EXTERNAL_CODES,
  ...PLUGIN_CODES,
  ...SERVICE_CODES,
  ...RATE_LIMIT_CODES,
  ...AUDIT_CODES,
  ...PACKAGE_CODES,
  ...RELEASE_CODES,
  ...HISTORY_CODES,
  ...MIGRATION_CODES,
  ...COMPATIBILITY_CODES,
  ...MIGRATE_CODES,
];

const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a value read from outside the type system (a wire body, a stored row) is one of the codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && ERROR_CODE_SET.has(value);
}
