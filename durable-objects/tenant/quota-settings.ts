/**
 * @module
 * The tenant quotas: for each, the setting that changes it (`PATCH /admin/tenants/:id/settings`),
 * its default, the values an admin may set (the largest is the platform's ceiling) and what it
 * counts. Refusals: `quota-refusal.ts` (docs/operations.md "Quotas" lists each quota's code). `max_runs` (stored and read by nothing before quotas existed) is now a legacy
 * name of `max_active_runs`, read only while `max_active_runs` is unset. Pure: reads a settings
 * map, no I/O.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { MAX_STATE_BYTES } from "../../engine/machine/state-size.ts";
import { DEFAULT_EVENT_BODY_BUDGET_BYTES } from "./event-bodies.ts";
import {
  DEFAULT_MAX_STORED_RUNS,
  MAX_EVENT_PAYLOAD_BUDGET_BYTES,
  MAX_STORED_RUNS_CEILING,
} from "./run-limits.ts";
import { MAX_SECRETS } from "./secret-store.ts";
import { MAX_TENANT_SERVICES } from "./service-store.ts";
import { MAX_API_SUBSCRIPTIONS } from "./subscription-store.ts";

/** What happens to a run start when `max_active_runs` runs are already going. */
export const ACTIVE_RUNS_POLICIES = ["refuse", "queue"] as const;
export type ActiveRunsPolicy = (typeof ACTIVE_RUNS_POLICIES)[number];

export interface QuotaDefinition<Setting extends string = string> {
  /** the setting, also the quota's name in usage answers and refusals */
  setting: Setting;
  /** what is counted */
  counts: string;
  defaultLimit: number;
  /** the least and the most an admin may set */
  min: number;
  max: number;
}

function quota<Setting extends string>(
  setting: Setting,
  counts: string,
  defaultLimit: number,
  min: number,
  max: number,
): QuotaDefinition<Setting> {
  return { setting, counts, defaultLimit, min, max };
}

/** Every quota, in the order usage lists them. */
export const QUOTAS = [
  quota("max_workflows", "distinct workflow names published", 1_000, 0, 100_000),
  quota("max_versions_per_workflow", "versions published of the workflow with the most", 1_000, 1, 100_000),
  quota(
    "max_active_runs",
    "runs running or waiting (starts in flight count too when a start is checked)",
    1_000,
    0,
    100_000,
  ),
  quota("max_runs_per_day", "runs started since 00:00 UTC", 50_000, 0, 10_000_000),
  quota(
    "max_stored_runs",
    "runs stored (active and finished, kept for retention)",
    DEFAULT_MAX_STORED_RUNS,
    1,
    MAX_STORED_RUNS_CEILING,
  ),
  quota(
    "max_state_bytes",
    "UTF-8 bytes of a run thread's state as JSON (checked at each write)",
    MAX_STATE_BYTES,
    1_024,
    MAX_STATE_BYTES,
  ),
  quota(
    "max_event_payload_bytes",
    "stored event payload bytes (past it the oldest are pruned)",
    DEFAULT_EVENT_BODY_BUDGET_BYTES,
    0,
    MAX_EVENT_PAYLOAD_BUDGET_BYTES,
  ),
  quota(
    "max_subscriptions",
    "subscriptions made with workflow_subscribe_events",
    MAX_API_SUBSCRIPTIONS,
    0,
    MAX_API_SUBSCRIPTIONS,
  ),
  quota("max_secrets", "tenant secrets", MAX_SECRETS, 0, MAX_SECRETS),
  quota("max_services", "tenant services", MAX_TENANT_SERVICES, 0, MAX_TENANT_SERVICES),
  quota("max_plugins", "distinct plugins the tenant services use", 20, 0, 100),
  quota(
    "max_queued_starts",
    "run starts queued for a free slot (active_runs_policy: queue)",
    10_000,
    0,
    100_000,
  ),
] as const satisfies readonly QuotaDefinition[];

export type QuotaName = (typeof QUOTAS)[number]["setting"];

/** The schemas of the quota settings and `active_runs_policy`, checked by `checkSettingsPatch`. */
export const QUOTA_SETTING_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  ...Object.fromEntries(QUOTAS.map((q) => [q.setting, z.number().int().min(q.min).max(q.max)])),
  max_runs: z.number().int().min(0).max(100_000),
  active_runs_policy: z.enum(ACTIVE_RUNS_POLICIES),
};

/** Throws `settings.invalid` (the setting's name as path) for a quota setting with a bad value; `null` is always allowed. */
export function checkQuotaSettingsPatch(patch: Readonly<Record<string, unknown>>): void {
  for (const [name, schema] of Object.entries(QUOTA_SETTING_SCHEMAS)) {
    if (!Object.hasOwn(patch, name) || patch[name] === null) continue;
    const parsed = schema.safeParse(patch[name]);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? "invalid value";
      throw new EngineError("settings.invalid", `Setting ${name}: ${message}.`, { path: name });
    }
  }
}

export type QuotaLimits = Record<QuotaName, number>;

/** Each quota's limit for a tenant: its setting when set and valid, else the default. */
export function quotaLimitsOf(settings: Readonly<Record<string, unknown>>): QuotaLimits {
  const limits = {} as QuotaLimits;
  for (const q of QUOTAS) limits[q.setting] = numberSetting(settings, q.setting) ?? q.defaultLimit;
  if (numberSetting(settings, "max_active_runs") === undefined) {
    const legacy = numberSetting(settings, "max_runs");
    if (legacy !== undefined) limits.max_active_runs = legacy;
  }
  return limits;
}

export function activeRunsPolicyOf(settings: Readonly<Record<string, unknown>>): ActiveRunsPolicy {
  const parsed = QUOTA_SETTING_SCHEMAS.active_runs_policy?.safeParse(settings.active_runs_policy);
  return parsed?.success === true ? (parsed.data as ActiveRunsPolicy) : "refuse";
}

/** The run start's `stateLimit` (`RunInit`): the tenant's `max_state_bytes` when below the engine's cap. */
export function stateLimitOf(settings: Readonly<Record<string, unknown>>): { stateLimit?: number } {
  const limit = quotaLimitsOf(settings).max_state_bytes;
  return limit < MAX_STATE_BYTES ? { stateLimit: limit } : {};
}

function numberSetting(settings: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const parsed = QUOTA_SETTING_SCHEMAS[name]?.safeParse(settings[name]);
  return parsed?.success === true && typeof parsed.data === "number" ? parsed.data : undefined;
}
