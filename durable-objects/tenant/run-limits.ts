/**
 * @module
 * The tenant settings that bound what a tenant stores, and their checks: how long a finished
 * run is kept (`run_retention_days`), how many runs are kept at most (`max_stored_runs`), how
 * many runs events may start per minute and how many event payload bytes are kept
 * (`max_event_payload_bytes`, read by `event-bodies.ts`).
 * Known settings are checked when they are set (`settings.invalid`, a 400, names the setting);
 * unknown names are stored as before. Pure: reads a settings map, no I/O.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { rateLimitSettings } from "./rate-limit-policy.ts";

export const DAY_MS = 86_400_000;
/** Finished runs are deleted this many days after they finished, unless the tenant sets otherwise. */
export const DEFAULT_RUN_RETENTION_DAYS = 30;
/** At most this many runs (active and finished) are stored per tenant, unless the tenant sets otherwise. */
export const DEFAULT_MAX_STORED_RUNS = 10_000;
/** The largest values a tenant may set: ten years, a million runs. */
export const MAX_RUN_RETENTION_DAYS = 3_650;
export const MAX_STORED_RUNS_CEILING = 1_000_000;
/** The largest stored-payload budget a tenant may set: 1 GiB (a Durable Object holds at most 10 GB). */
export const MAX_EVENT_PAYLOAD_BUDGET_BYTES = 1024 * 1024 * 1024;

/** The settings edgeflow reads, with what each may hold; `null` (remove: back to the default) is always allowed. */
const knownSettings = {
  run_retention_days: z.number().int().min(1).max(MAX_RUN_RETENTION_DAYS),
  max_stored_runs: z.number().int().min(1).max(MAX_STORED_RUNS_CEILING),
  max_event_runs_per_minute: z.number().int().min(0).max(1_000_000),
  max_event_payload_bytes: z.number().int().min(0).max(MAX_EVENT_PAYLOAD_BUDGET_BYTES),
  ...rateLimitSettings,
} as const;

/** Throws `settings.invalid` (with the setting's name as path) for a known setting with a bad value. */
export function checkSettingsPatch(patch: Readonly<Record<string, unknown>>): void {
  for (const [name, schema] of Object.entries(knownSettings)) {
    if (!Object.hasOwn(patch, name) || patch[name] === null) continue;
    const parsed = schema.safeParse(patch[name]);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? "invalid value";
      throw new EngineError("settings.invalid", `Setting ${name}: ${message}.`, { path: name });
    }
  }
}

export interface RunLimits {
  /** how long a finished run is kept after it finished */
  retentionMs: number;
  /** most runs stored at once */
  maxStoredRuns: number;
}

export function runLimitsOf(settings: Readonly<Record<string, unknown>>): RunLimits {
  return {
    retentionMs: settingOf(settings, "run_retention_days", DEFAULT_RUN_RETENTION_DAYS) * DAY_MS,
    maxStoredRuns: settingOf(settings, "max_stored_runs", DEFAULT_MAX_STORED_RUNS),
  };
}

/** A known setting's value when it is set and valid (the check `checkSettingsPatch` applies), else `fallback`. */
export function settingOf(
  settings: Readonly<Record<string, unknown>>,
  name: keyof typeof knownSettings,
  fallback: number,
): number {
  const parsed = knownSettings[name].safeParse(settings[name]);
  return parsed.success ? parsed.data : fallback;
}
