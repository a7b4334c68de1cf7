/**
 * @module
 * The tenant's subscriptions as the TenantDO uses them: registering a published version's
 * triggers (and their schedules), the ones made over MCP, and the cached list every event is
 * matched against (dropped whenever a row changes). Rows are in `subscription-store.ts` and
 * `schedule-store.ts`; the pure checks in `engine/events`.
 */
import type { WorkflowDefinition } from "../../engine/dialect/workflow.ts";
import { EngineError } from "../../engine/errors.ts";
import {
  endpointSecretProblem,
  type Subscription,
  subscriptionsFromTriggers,
} from "../../engine/events/index.ts";
import type { LazyEvaluator } from "../run/lazy-evaluator.ts";
import type { NewSubscription, ScheduleRecord, StoredSubscription } from "./contracts.ts";
import { quotaLimitsOf } from "./quota-settings.ts";
import { listSchedules, syncSchedules } from "./schedule-store.ts";
import { readSettings } from "./settings.ts";
import { apiSubscriptionOf, checkSubscriptionExpressions } from "./subscription-checks.ts";
import {
  deleteApiSubscription,
  insertApiSubscription,
  listSubscriptions,
  replaceTriggerSubscriptions,
} from "./subscription-store.ts";
import { defaultVersionOf, listVersions } from "./workflow-store.ts";

export class SubscriptionRegistry {
  readonly #sql: SqlStorage;
  readonly #evaluator: LazyEvaluator;
  #cached: Subscription[] | undefined;

  constructor(sql: SqlStorage, evaluator: LazyEvaluator) {
    this.#sql = sql;
    this.#evaluator = evaluator;
  }

  /** Every subscription of the tenant (triggers and MCP), cached until a row changes. */
  all(): Subscription[] {
    this.#cached ??= this.#load();
    return this.#cached;
  }

  /** Drop the cache (after a publish has committed). */
  invalidate(): void {
    this.#cached = undefined;
  }

  /**
   * Registers a version's triggers when it is the workflow's default version (an older hotfix, or
   * a publish while the default is pinned, leaves the default's triggers alone). Call inside the publish's
   * transaction; throws the first trigger problem as an `EngineError` with its path.
   */
  registerTriggers(definition: WorkflowDefinition, now: number): void {
    const subscriptions = subscriptionsFromTriggers(definition);
    if (defaultVersionOf(this.#sql, definition.name) !== definition.version) return;
    const others = this.#load().filter((s) => s.workflow !== definition.name);
    const paths = (definition.triggers ?? []).flatMap((trigger, index) =>
      trigger.enabled === false ? [] : [`triggers[${index}]`],
    );
    const crowded = endpointSecretProblem(
      others,
      subscriptions.map((subscription, index) => ({ subscription, path: paths[index] ?? "triggers" })),
    );
    if (crowded !== undefined) {
      throw new EngineError(crowded.code, crowded.message, { path: crowded.path ?? "triggers" });
    }
    replaceTriggerSubscriptions(this.#sql, definition.name, subscriptions, now);
    syncSchedules(this.#sql, this.#load(), now);
  }

  /** A `workflow_subscribe_events` request: checked, stored, answered. */
  /** `commit` runs the insert of `subscription`, e.g. in a transaction with its audit entry. */
  async subscribe(
    request: NewSubscription,
    now: number,
    commit: (insert: () => void, subscription: Subscription) => void = (insert) => insert(),
  ): Promise<StoredSubscription> {
    const subscription = apiSubscriptionOf(request);
    if (listVersions(this.#sql, subscription.workflow).length === 0) throw noWorkflow(subscription.workflow);
    checkSubscriptionExpressions(subscription, await this.#evaluator.get());
    commit(
      () =>
        insertApiSubscription(
          this.#sql,
          subscription,
          now,
          quotaLimitsOf(readSettings(this.#sql)).max_subscriptions,
        ),
      subscription,
    );
    this.#cached = undefined;
    return { subscription, origin: "api", createdAt: now };
  }

  unsubscribe(id: string): StoredSubscription {
    const removed = deleteApiSubscription(this.#sql, id);
    this.#cached = undefined;
    return removed;
  }

  list(workflow?: string): { subscriptions: StoredSubscription[]; schedules: ScheduleRecord[] } {
    return { subscriptions: listSubscriptions(this.#sql, workflow), schedules: listSchedules(this.#sql) };
  }

  #load(): Subscription[] {
    return listSubscriptions(this.#sql).map((stored) => stored.subscription);
  }
}

function noWorkflow(workflow: string): EngineError {
  return new EngineError(
    "workflow.not_found",
    `No workflow named "${workflow}" is published for this tenant; workflow_list shows what is.`,
    { path: "workflow" },
  );
}
