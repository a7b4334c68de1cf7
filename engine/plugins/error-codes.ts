/**
 * @module
 * Codes of plugin resolution and services: a `uses:` that does not name a plugin version the
 * platform holds, a method or role the plugin lacks, params or configuration its schemas refuse, a
 * service name nothing defines. Part of the closed set of error codes (`ErrorCode` in
 * engine/error-codes.ts); worker/errors/codes.ts classifies each one.
 */

export const PLUGIN_CODES = [
  "plugin.invalid_uses",
  "plugin.unknown",
  "plugin.no_matching_version",
  "plugin.unknown_method",
  "plugin.wrong_role",
  "plugin.invalid_params",
] as const;

export const SERVICE_CODES = [
  "service.unknown",
  "service.conflict",
  "service.invalid_config",
  "service.not_found",
  "service.limit_reached",
] as const;

export type PluginCode = (typeof PLUGIN_CODES)[number];
export type ServiceCode = (typeof SERVICE_CODES)[number];
