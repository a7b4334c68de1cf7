/**
 * @module
 * Subscription rows of one tenant: who wants which events. `trigger` rows come from a published
 * version's `triggers:` and are replaced wholesale when the workflow's latest version changes;
 * `api` rows come from `workflow_subscribe_events` and stay until `workflow_unsubscribe`. The
 * engine's `Subscription` is stored as JSON; row types stay in this file.
 */

import { EngineError } from "../../engine/errors.ts";
import type { Subscription } from "../../engine/events/index.ts";
import type { StoredSubscription, SubscriptionOrigin } from "./contracts.ts";

interface SubscriptionRow extends Record<string, SqlStorageValue> {
  id: string;
  workflow: string;
  origin: string;
  spec: string;
  created_at: number;
}

/** Most `workflow_subscribe_events` subscriptions a tenant may hold. */
export const MAX_API_SUBSCRIPTIONS = 500;

export function listSubscriptions(sql: SqlStorage, workflow?: string): StoredSubscription[] {
  const rows =
    workflow === undefined
      ? sql.exec<SubscriptionRow>("SELECT * FROM subscriptions ORDER BY workflow, id").toArray()
      : sql
          .exec<SubscriptionRow>("SELECT * FROM subscriptions WHERE workflow = ? ORDER BY id", workflow)
          .toArray();
  return rows.map(toStored);
}

export function findSubscription(sql: SqlStorage, id: string): StoredSubscription | null {
  const row = sql.exec<SubscriptionRow>("SELECT * FROM subscriptions WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : toStored(row);
}

/**
 * Makes `subscriptions` the workflow's trigger subscriptions: rows with the same id are
 * rewritten (keeping `created_at`), the workflow's other trigger rows are deleted. Returns the
 * ids that were removed. Call inside a transaction.
 */
export function replaceTriggerSubscriptions(
  sql: SqlStorage,
  workflow: string,
  subscriptions: readonly Subscription[],
  now: number,
): string[] {
  const keep = new Set(subscriptions.map((subscription) => subscription.id));
  const removed = sql
    .exec<{ id: string }>("SELECT id FROM subscriptions WHERE workflow = ? AND origin = 'trigger'", workflow)
    .toArray()
    .map((row) => row.id)
    .filter((id) => !keep.has(id));
  for (const id of removed) sql.exec("DELETE FROM subscriptions WHERE id = ?", id);
  for (const subscription of subscriptions) {
    sql.exec(
      `INSERT INTO subscriptions (id, workflow, origin, spec, created_at) VALUES (?, ?, 'trigger', ?, ?)
       ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow, origin = 'trigger', spec = excluded.spec`,
      subscription.id,
      workflow,
      JSON.stringify(subscription),
      now,
    );
  }
  return removed;
}

/** Stores a `workflow_subscribe_events` subscription; it must fit `limit` (`max_subscriptions`). */
export function insertApiSubscription(
  sql: SqlStorage,
  subscription: Subscription,
  now: number,
  limit = MAX_API_SUBSCRIPTIONS,
): void {
  const count = sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM subscriptions WHERE origin = 'api'")
    .one().n;
  if (count >= limit) {
    throw new EngineError(
      "subscription.limit_reached",
      `Quota max_subscriptions exceeded: the limit is ${limit} and this tenant has ${count} subscriptions made with workflow_subscribe_events; remove some with workflow_unsubscribe.`,
      { path: "max_subscriptions" },
    );
  }
  sql.exec(
    "INSERT INTO subscriptions (id, workflow, origin, spec, created_at) VALUES (?, ?, 'api', ?, ?)",
    subscription.id,
    subscription.workflow,
    JSON.stringify(subscription),
    now,
  );
}

/** Deletes an `api` subscription; a trigger's subscription cannot be removed this way. */
export function deleteApiSubscription(sql: SqlStorage, id: string): StoredSubscription {
  const found = findSubscription(sql, id);
  if (found === null) {
    throw new EngineError(
      "subscription.not_found",
      `No subscription "${id}" for this tenant; workflow_list_subscriptions lists them.`,
      { path: "subscription_id" },
    );
  }
  if (found.origin === "trigger") {
    throw new EngineError(
      "subscription.from_trigger",
      `Subscription "${id}" comes from a trigger in the workflow's YAML; set \`enabled: false\` on that trigger (or remove it) and publish a new version.`,
      { path: "subscription_id" },
    );
  }
  sql.exec("DELETE FROM subscriptions WHERE id = ?", id);
  return found;
}

function toStored(row: SubscriptionRow): StoredSubscription {
  return {
    subscription: JSON.parse(row.spec) as Subscription,
    origin: row.origin as SubscriptionOrigin,
    createdAt: row.created_at,
  };
}
