/**
 * @module
 * The TenantDO's event machinery, wired to its storage: registering a version's triggers,
 * taking in webhooks (verify, dedup, parse, match, store, answer, start) and posted events,
 * subscriptions made over MCP, the event log, and the alarm that fires schedules, re-drives
 * pending starts and prunes old rows. The pure parts are `engine/events`; the rows are in the
 * sibling `*-store.ts`/`*-log.ts` files. One evaluator per TenantDO, never shared across tenants.
 * Everything from the last `await` to the transaction is synchronous, so no other request can
 * interleave between the dedup check and the write.
 */
import type { WorkflowDefinition } from "../../engine/dialect/workflow.ts";
import { EngineError } from "../../engine/errors.ts";
import {
  endpointSecretProblem,
  MatchBudget,
  matchEvent,
  normalizeEndpoint,
  parseWebhookBody,
  type Subscription,
  subscriptionsForEndpoint,
  subscriptionsFromTriggers,
  type TriggerEvent,
  webhookEvent,
} from "../../engine/events/index.ts";
import type { DurableObjectBindings } from "../bindings.ts";
import { LazyEvaluator } from "../run/lazy-evaluator.ts";
import type {
  EventPage,
  EventQuery,
  EventReceipt,
  NewSubscription,
  PostedEvent,
  ScheduleRecord,
  StoredSubscription,
  WebhookDelivery,
} from "./contracts.ts";
import { unknownEndpoint } from "./contracts.ts";
import { eventBodyBudgetOf, trimEventBodies } from "./event-bodies.ts";
import { newEventId } from "./event-ids.ts";
import { type IntakeStorage, type RecordedEvent, recordEvent } from "./event-intake.ts";
import { EVENT_RETENTION_MS, eventAnswerOf, hasEvent, pruneEvents } from "./event-log.ts";
import { queryEventPage } from "./event-pages.ts";
import { dueStarts, REDRIVE_AFTER_MS } from "./pending-starts.ts";
import { eventOfPosted } from "./posted-event.ts";
import { RejectionLog } from "./rejection-log.ts";
import { RunRateLimit, runsPerMinuteOf } from "./run-rate-limit.ts";
import { StartReservations } from "./run-retention.ts";
import { RunStarter } from "./run-starter.ts";
import { fireDueSchedules } from "./schedule-fires.ts";
import { listSchedules, syncSchedules } from "./schedule-store.ts";
import { SecretVault } from "./secret-vault.ts";
import { readSettings } from "./settings.ts";
import { apiSubscriptionOf, checkSubscriptionExpressions } from "./subscription-checks.ts";
import {
  deleteApiSubscription,
  insertApiSubscription,
  listSubscriptions,
  replaceTriggerSubscriptions,
} from "./subscription-store.ts";
import { TimerAlarm } from "./timer-alarm.ts";
import { findDelivery, pruneDeliveries } from "./webhook-dedup.ts";
import { verifyDelivery } from "./webhook-verification.ts";
import { listVersions } from "./workflow-store.ts";

/** The event log is trimmed to its cap after this many new events (and by every alarm). */
const PRUNE_EVERY_EVENTS = 1_000;

export class TenantEvents {
  readonly #storage: DurableObjectStorage;
  readonly #evaluator = new LazyEvaluator();
  readonly secrets: SecretVault;
  /** starts in flight under the stored-runs cap, shared by event starts and `workflow_start` */
  readonly reservations = new StartReservations();
  readonly #alarm: TimerAlarm;
  readonly #starter: RunStarter;
  readonly #rateLimit = new RunRateLimit();
  #subscriptions: Subscription[] | undefined;
  #runsPerMinute: number | undefined;
  #bodyBudget: number | undefined;
  #storedSincePrune = 0;
  readonly #rejections = new RejectionLog();

  constructor(
    storage: DurableObjectStorage,
    bindings: DurableObjectBindings,
    platformKey: string | undefined,
  ) {
    this.#storage = storage;
    this.secrets = new SecretVault(storage.sql, platformKey);
    this.#alarm = new TimerAlarm(storage);
    this.#starter = new RunStarter({ storage: this.#intake, bindings, reservations: this.reservations });
  }

  // ── publishing ──────────────────────────────────────────────────────────

  /**
   * Registers a newly published version's triggers when it is the workflow's latest version
   * (an older hotfix leaves the latest version's triggers alone). Call inside the publish's
   * transaction; throws the first trigger problem as an `EngineError` with its path.
   */
  registerTriggers(definition: WorkflowDefinition, now: number): void {
    const subscriptions = subscriptionsFromTriggers(definition);
    if (listVersions(this.#sql, definition.name)[0] !== definition.version) return;
    const others = this.#loadSubscriptions().filter((s) => s.workflow !== definition.name);
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
    syncSchedules(this.#sql, this.#loadSubscriptions(), now);
  }

  /** Reads what the alarm is armed for; once, in the TenantDO constructor's `blockConcurrencyWhile`. */
  load(): Promise<void> {
    return this.#alarm.load();
  }

  /** After a publish has committed: drop caches and re-arm for the schedules. */
  async published(): Promise<void> {
    this.#subscriptions = undefined;
    this.#starter.invalidate();
    await this.#alarm.rearm();
  }

  settingsChanged(): void {
    this.#runsPerMinute = undefined;
    this.#bodyBudget = undefined;
  }

  /** Makes sure the tenant alarm fires by `at` (a finished run's expiry: see run-retention.ts). */
  armBy(at: number): void {
    this.#alarm.ensureBy(at);
  }

  /** Re-arms the tenant alarm for its earliest timer row (after run expiries changed). */
  rearm(): Promise<void> {
    return this.#alarm.rearm();
  }

  // ── intake ──────────────────────────────────────────────────────────────

  async receiveWebhook(tenant: string, delivery: WebhookDelivery): Promise<EventReceipt> {
    const endpoint = normalizeEndpoint(delivery.endpoint);
    const listening =
      endpoint === undefined ? [] : subscriptionsForEndpoint(endpoint, this.#allSubscriptions());
    if (endpoint === undefined || listening.length === 0) throw unknownEndpoint();
    const [evaluator, secrets] = await Promise.all([this.#evaluator.get(), this.#secretsForWebhooks(tenant)]);
    const verification = await verifyDelivery(delivery, listening, secrets);
    if (!verification.ok) {
      this.#rejections.record(this.#sql, endpoint, delivery.now, verification.rejection);
      throw new EngineError(verification.rejection.code, verification.rejection.message);
    }
    // From here to the transaction nothing awaits: the dedup check and the write are one step.
    for (const key of verification.dedupKeys) {
      const earlier = findDelivery(this.#sql, endpoint, key, delivery.now);
      if (earlier !== null) return { answer: earlier, duplicate: true };
    }
    const body = parseWebhookBody(delivery.body, { contentType: delivery.contentType });
    if (!body.ok) throw new EngineError(body.code, body.message);
    const event = webhookEvent({
      id: newEventId(),
      endpoint,
      payload: body.payload,
      headers: delivery.headers,
      receivedAt: delivery.now,
    });
    const subscribers = [
      ...verification.subscriptions,
      ...this.#allSubscriptions().filter((s) => !s.trigger),
    ];
    const recorded = recordEvent(this.#intake, {
      event,
      matches: matchEvent(event, subscribers, evaluator, new MatchBudget(evaluator)),
      now: delivery.now,
      dedup: { endpoint, keys: verification.dedupKeys },
      detail: { verified: verification.verified },
      allowRun: this.#allowRun(delivery.now),
    });
    return this.#taken(tenant, event, recorded, delivery.now);
  }

  /** One posted event (`POST /events` with a single event). */
  async receiveEvent(tenant: string, posted: PostedEvent): Promise<EventReceipt> {
    const [receipt] = await this.receiveEvents(tenant, [posted], false);
    return receipt as EventReceipt;
  }

  /**
   * Posted events, all or none: each is checked first (a problem names `events[i]` when
   * `batched`), then all are matched and stored in one transaction, one commit for the batch.
   * An id the tenant already used is answered with its original result. Receipts in order.
   */
  async receiveEvents(
    tenant: string,
    posted: readonly PostedEvent[],
    batched = true,
  ): Promise<EventReceipt[]> {
    const events = posted.map((item, index) => {
      try {
        return eventOfPosted(item);
      } catch (error) {
        throw batched && error instanceof EngineError ? inBatch(error, index) : error;
      }
    });
    const evaluator = await this.#evaluator.get();
    // From here to the commit nothing awaits.
    const subscriptions = this.#allSubscriptions();
    const now = posted[0]?.now ?? Date.now();
    const allowRun = this.#allowRun(now);
    const budget = new MatchBudget(evaluator);
    const taken = this.#storage.transactionSync(() =>
      events.map((event, index): [TriggerEvent, RecordedEvent] => {
        if (hasEvent(this.#sql, event.id)) {
          return [event, { answer: eventAnswerOf(this.#sql, event.id), starts: [], stored: false }];
        }
        const matches = matchEvent(event, subscriptions, evaluator, budget);
        try {
          return [event, recordEvent(this.#intake, { event, matches, now, allowRun })];
        } catch (error) {
          throw batched && error instanceof EngineError ? inBatch(error, index) : error;
        }
      }),
    );
    return taken.map(([event, recorded]) => this.#taken(tenant, event, recorded, now));
  }

  /** Right after the transaction, with no `await` in between: arm the alarm, start the runs. */
  #taken(tenant: string, event: TriggerEvent, recorded: RecordedEvent, now: number): EventReceipt {
    if (recorded.starts.length > 0) {
      this.#alarm.ensureBy(now + REDRIVE_AFTER_MS);
      // Not awaited: the answer goes out once the rows (and the alarm) are durable; the starts
      // follow, and the DO's output gate holds them until then too.
      void this.#starter.startAll(tenant, recorded.starts, event);
    } else if (recorded.stored) {
      this.#alarm.ensureBy(now + EVENT_RETENTION_MS);
    }
    if (recorded.stored) this.#trimBodies(now);
    if (recorded.stored && ++this.#storedSincePrune >= PRUNE_EVERY_EVENTS) {
      this.#storedSincePrune = 0;
      pruneEvents(this.#sql, now - EVENT_RETENTION_MS);
    }
    return { answer: recorded.answer, duplicate: !recorded.stored };
  }

  // ── subscriptions ───────────────────────────────────────────────────────

  async subscribe(request: NewSubscription, now: number): Promise<StoredSubscription> {
    const subscription = apiSubscriptionOf(request);
    if (listVersions(this.#sql, subscription.workflow).length === 0) throw noWorkflow(subscription.workflow);
    checkSubscriptionExpressions(subscription, await this.#evaluator.get());
    insertApiSubscription(this.#sql, subscription, now);
    this.#subscriptions = undefined;
    return { subscription, origin: "api", createdAt: now };
  }

  unsubscribe(id: string): StoredSubscription {
    const removed = deleteApiSubscription(this.#sql, id);
    this.#subscriptions = undefined;
    return removed;
  }

  listSubscriptions(workflow?: string): { subscriptions: StoredSubscription[]; schedules: ScheduleRecord[] } {
    return { subscriptions: listSubscriptions(this.#sql, workflow), schedules: listSchedules(this.#sql) };
  }

  queryEvents(query: EventQuery): EventPage {
    return queryEventPage(this.#sql, query);
  }

  // ── secrets ─────────────────────────────────────────────────────────────

  async #secretsForWebhooks(tenant: string): Promise<Readonly<Record<string, string>>> {
    try {
      return await this.secrets.values(tenant);
    } catch (error) {
      console.warn(`tenant ${tenant}: secrets unavailable for webhook verification`, String(error));
      return {};
    }
  }

  // ── the alarm ───────────────────────────────────────────────────────────

  async alarm(tenant: string): Promise<void> {
    this.#alarm.fired();
    const now = Date.now();
    const evaluator = await this.#evaluator.get();
    const byId = new Map(this.#allSubscriptions().map((subscription) => [subscription.id, subscription]));
    const starts = fireDueSchedules(
      {
        storage: this.#intake,
        subscription: (id) => byId.get(id),
        evaluator,
        budget: new MatchBudget(evaluator),
        allowRun: this.#allowRun(now),
      },
      now,
    );
    starts.push(...dueStarts(this.#sql, now).filter((due) => !starts.some((s) => s.runId === due.runId)));
    this.#storage.transactionSync(() => {
      pruneDeliveries(this.#sql, now);
      pruneEvents(this.#sql, now - EVENT_RETENTION_MS);
    });
    this.#trimBodies(now);
    await this.#starter.startAll(tenant, starts);
    this.#starter.flush();
    await this.#alarm.rearm();
  }

  // ── internals ───────────────────────────────────────────────────────────

  get #sql(): SqlStorage {
    return this.#storage.sql;
  }

  get #intake(): IntakeStorage {
    return this.#storage;
  }

  #allSubscriptions(): Subscription[] {
    this.#subscriptions ??= this.#loadSubscriptions();
    return this.#subscriptions;
  }

  #loadSubscriptions(): Subscription[] {
    return listSubscriptions(this.#sql).map((stored) => stored.subscription);
  }

  /** Keeps the stored event bodies within the tenant's budget (oldest first; see `event-bodies.ts`). */
  #trimBodies(now: number): void {
    this.#bodyBudget ??= eventBodyBudgetOf(readSettings(this.#sql));
    const budget = this.#bodyBudget;
    this.#storage.transactionSync(() => trimEventBodies(this.#sql, budget, now));
  }

  #allowRun(now: number): () => boolean {
    this.#runsPerMinute ??= runsPerMinuteOf(readSettings(this.#sql));
    const limit = this.#runsPerMinute;
    return () => this.#rateLimit.take(now, limit);
  }
}

/** A problem with the `index`th event of a posted batch, located there. */
function inBatch(error: EngineError, index: number): EngineError {
  return new EngineError(error.code, `events[${index}]: ${error.message}`, {
    path: `events[${index}].${error.path ?? ""}`.replace(/\.$/, ""),
  });
}

function noWorkflow(workflow: string): EngineError {
  return new EngineError(
    "workflow.not_found",
    `No workflow named "${workflow}" is published for this tenant; workflow_list shows what is.`,
    { path: "workflow" },
  );
}
