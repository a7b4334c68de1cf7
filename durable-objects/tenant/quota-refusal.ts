/**
 * @module
 * The one error every quota refusal carries: `quota.exceeded` (409), its `path` naming the quota
 * (the setting that changes it, e.g. `max_active_runs`), its message giving the limit and the
 * usage. Pure.
 */
import { EngineError } from "../../engine/errors.ts";
import type { QuotaName } from "./quota-settings.ts";

/** Throws unless `usage + adding` stays within `limit`. */
export function assertWithinQuota(quota: QuotaName, limit: number, usage: number, adding = 1): void {
  if (usage + adding > limit) throw quotaExceeded(quota, limit, usage);
}

export function quotaExceeded(quota: QuotaName, limit: number, usage: number): EngineError {
  return new EngineError(
    "quota.exceeded",
    `Quota ${quota} exceeded: the limit is ${limit} and this tenant has ${usage}. ` +
      "Free some (workflow_quota shows usage against every limit), or ask the admin to raise it.",
    { path: quota },
  );
}
