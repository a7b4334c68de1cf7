/**
 * @module
 * What a tenant uses against each quota, counted from its storage (so the numbers are right after
 * an eviction), and the checks a publish makes (`max_workflows`, `max_versions_per_workflow`).
 * Read by `workflow_quota` and `GET /admin/tenants/:id/usage`.
 */
import type { TenantUsage } from "./contracts.ts";
import { runsStartedToday } from "./daily-run-count.ts";
import { storedBodyBytes } from "./event-bodies.ts";
import { assertWithinQuota } from "./quota-refusal.ts";
import { activeRunsPolicyOf, QUOTAS, type QuotaName, quotaLimitsOf } from "./quota-settings.ts";
import { countActiveRuns, countRuns } from "./run-index.ts";
import { readSettings } from "./settings.ts";
import { queueLength } from "./start-queue.ts";

export function readTenantUsage(storage: DurableObjectStorage, now: number): TenantUsage {
  const sql = storage.sql;
  const settings = readSettings(sql);
  const limits = quotaLimitsOf(settings);
  const used: Record<QuotaName, number | null> = {
    max_workflows: count(sql, "SELECT COUNT(DISTINCT name) AS n FROM workflow_versions"),
    max_versions_per_workflow: count(
      sql,
      "SELECT COALESCE(MAX(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM workflow_versions GROUP BY name)",
    ),
    max_active_runs: countActiveRuns(sql),
    max_runs_per_day: runsStartedToday(storage.kv, now),
    max_stored_runs: countRuns(sql),
    max_state_bytes: null,
    max_event_payload_bytes: storedBodyBytes(sql),
    max_subscriptions: count(sql, "SELECT COUNT(*) AS n FROM subscriptions WHERE origin = 'api'"),
    max_secrets: count(sql, "SELECT COUNT(*) AS n FROM secrets"),
    max_services: count(sql, "SELECT COUNT(*) AS n FROM tenant_services"),
    max_plugins: count(sql, "SELECT COUNT(DISTINCT plugin) AS n FROM tenant_services"),
    max_queued_starts: queueLength(storage.kv),
  };
  return {
    quotas: QUOTAS.map((q) => ({
      quota: q.setting,
      limit: limits[q.setting],
      usage: used[q.setting],
      default: q.defaultLimit,
      counts: q.counts,
    })),
    active_runs_policy: activeRunsPolicyOf(settings),
    queued_starts: queueLength(storage.kv),
  };
}

/** Throws `quota.exceeded` when publishing version `version` of `name` would pass a workflow quota. */
export function assertRoomToPublish(sql: SqlStorage, name: string, version: string): void {
  const versions = count(sql, "SELECT COUNT(*) AS n FROM workflow_versions WHERE name = ?", name);
  const exists = count(
    sql,
    "SELECT COUNT(*) AS n FROM workflow_versions WHERE name = ? AND version = ?",
    name,
    version,
  );
  if (exists > 0) return;
  const limits = quotaLimitsOf(readSettings(sql));
  if (versions === 0) {
    const workflows = count(sql, "SELECT COUNT(DISTINCT name) AS n FROM workflow_versions");
    assertWithinQuota("max_workflows", limits.max_workflows, workflows);
  }
  assertWithinQuota("max_versions_per_workflow", limits.max_versions_per_workflow, versions);
}

function count(sql: SqlStorage, query: string, ...bindings: SqlStorageValue[]): number {
  return sql.exec<{ n: number }>(query, ...bindings).one().n;
}
