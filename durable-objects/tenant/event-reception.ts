/**
 * @module
 * Taking events in: a webhook delivery (verify, dedup, parse, match, store, answer, start) and
 * posted events (check, match, store all or none, answer, start). The pure parts are
 * `engine/events`; the rows are in the sibling `*-store.ts`/`*-log.ts` files; signatures are
 * checked through the `WebhookVerifier` capability, so intake never sees a secret. Everything
 * from the last `await` to the transaction is synchronous, so no other request can interleave
 * between the dedup check and the write.
 */
import { EngineError } from "../../engine/errors.ts";
import {
  MatchBudget,
  matchEvent,
  normalizeEndpoint,
  parseWebhookBody,
  subscriptionsForEndpoint,
  type TriggerEvent,
  webhookEvent,
} from "../../engine/events/index.ts";
import type { LazyEvaluator } from "../run/lazy-evaluator.ts";
import {
  type EventPoster,
  type EventReceipt,
  type PostedEvent,
  unknownEndpoint,
  type WebhookDelivery,
} from "./contracts.ts";
import { newEventId } from "./event-ids.ts";
import { type IntakeStorage, type RecordedEvent, recordEvent } from "./event-intake.ts";
import { EVENT_RETENTION_MS, eventAnswerOf, hasEvent } from "./event-log.ts";
import type { IntakeLimits } from "./intake-limits.ts";
import type { EmittedEvent } from "./lifecycle-events.ts";
import { REDRIVE_AFTER_MS } from "./pending-starts.ts";
import { eventOfPosted } from "./posted-event.ts";
import { RejectionLog } from "./rejection-log.ts";
import type { RunStarter } from "./run-starter.ts";
import type { WebhookVerifier } from "./secret-vault.ts";
import { type StartDeferral, startDeferralOf } from "./start-deferral.ts";
import type { SubscriptionRegistry } from "./subscription-registry.ts";
import type { TenantMetrics } from "./tenant-metrics.ts";
import type { TenantRateLimits } from "./tenant-rate-limits.ts";
import type { TimerAlarm } from "./timer-alarm.ts";
import { findDelivery } from "./webhook-dedup.ts";

export interface EventReceptionParts {
  storage: DurableObjectStorage;
  evaluator: LazyEvaluator;
  subscriptions: SubscriptionRegistry;
  verifier: WebhookVerifier;
  limits: IntakeLimits;
  rateLimits: TenantRateLimits;
  alarm: TimerAlarm;
  starter: RunStarter;
  metrics?: TenantMetrics;
  /** whether a busy tenant leaves new runs to the alarm's drain (default: yes, `start-deferral.ts`) */
  deferral?: StartDeferral;
}

export class EventReception {
  readonly #parts: EventReceptionParts;
  readonly #rejections = new RejectionLog();

  constructor(parts: EventReceptionParts) {
    this.#parts = parts;
  }

  /**
   * `requireOpen` runs once the delivery is verified, before anything of it is stored: a refusal
   * there (a suspended tenant) is told only to a sender that holds the endpoint's secret.
   */
  async receiveWebhook(
    tenant: string,
    delivery: WebhookDelivery,
    requireOpen: () => void = () => {},
  ): Promise<EventReceipt> {
    const { subscriptions, evaluator, verifier, limits } = this.#parts;
    const endpoint = normalizeEndpoint(delivery.endpoint);
    const listening = endpoint === undefined ? [] : subscriptionsForEndpoint(endpoint, subscriptions.all());
    if (endpoint === undefined || listening.length === 0) throw unknownEndpoint();
    const [sandbox, verification] = await Promise.all([
      evaluator.get(),
      verifier.verifyDelivery(tenant, delivery, listening),
    ]);
    if (!verification.ok) {
      this.#rejections.record(this.#sql, endpoint, delivery.now, verification.rejection);
      this.#parts.metrics?.webhookRejected(verification.rejection.code);
      throw new EngineError(verification.rejection.code, verification.rejection.message);
    }
    requireOpen();
    // From here to the transaction nothing awaits: the dedup check and the write are one step.
    for (const key of verification.dedupKeys) {
      const earlier = findDelivery(this.#sql, endpoint, key, delivery.now);
      if (earlier !== null) return { answer: earlier, duplicate: true };
    }
    const body = parseWebhookBody(delivery.body, { contentType: delivery.contentType });
    if (!body.ok) throw new EngineError(body.code, body.message);
    // Verified, new and well-formed deliveries count (forged ones cannot spend the tenant's limit);
    // refused before anything is stored, so a 429 never hides an accepted delivery.
    this.#parts.rateLimits.require("webhooks", 1, delivery.now);
    const event = webhookEvent({
      id: newEventId(),
      endpoint,
      payload: body.payload,
      headers: delivery.headers,
      receivedAt: delivery.now,
    });
    const subscribers = [...verification.subscriptions, ...subscriptions.all().filter((s) => !s.trigger)];
    const deferred = this.#deferral.defer(this.#parts.starter.inFlight);
    const recorded = recordEvent(this.#intake, {
      event,
      matches: matchEvent(event, subscribers, sandbox, new MatchBudget(sandbox)),
      now: delivery.now,
      dedup: { endpoint, keys: verification.dedupKeys },
      detail: { verified: verification.verified },
      allowRun: limits.allowRun(delivery.now),
      ...(deferred ? { startsDueAt: delivery.now } : {}),
    });
    return this.#taken(tenant, event, recorded, delivery.now, deferred);
  }

  /** One posted event (`POST /events` with a single event). */
  async receiveEvent(tenant: string, posted: PostedEvent, poster?: EventPoster): Promise<EventReceipt> {
    const [receipt] = await this.receiveEvents(tenant, [posted], poster, false);
    return receipt as EventReceipt;
  }

  /**
   * Posted events, all or none: each is checked first (a problem names `events[i]` when
   * `batched`), then all are matched and stored in one transaction, one commit for the batch.
   * An id the tenant already used is answered with its original result. Receipts in order.
   * Events from a `poster` (`POST /events`) count against the `events` rate limits, every event
   * of the batch one unit, all admitted or none; the R2 queue consumer's are not limited.
   */
  async receiveEvents(
    tenant: string,
    posted: readonly PostedEvent[],
    poster?: EventPoster,
    batched = true,
  ): Promise<EventReceipt[]> {
    const events = posted.map((item, index) => {
      try {
        return eventOfPosted(item);
      } catch (error) {
        throw batched && error instanceof EngineError ? inBatch(error, index) : error;
      }
    });
    const sandbox = await this.#parts.evaluator.get();
    // From here to the commit nothing awaits.
    const subscriptions = this.#parts.subscriptions.all();
    const now = posted[0]?.now ?? Date.now();
    if (poster !== undefined) {
      this.#parts.rateLimits.requireWithinLimit("events", events.length, poster.keyId);
      this.#parts.rateLimits.require("events", events.length, now, poster.keyId);
    }
    const allowRun = this.#parts.limits.allowRun(now);
    const budget = new MatchBudget(sandbox);
    const taken = this.#parts.storage.transactionSync(() =>
      events.map((event, index): [TriggerEvent, RecordedEvent] => {
        if (hasEvent(this.#sql, event.id)) {
          return [event, { answer: eventAnswerOf(this.#sql, event.id), starts: [], stored: false }];
        }
        const matches = matchEvent(event, subscriptions, sandbox, budget);
        try {
          return [event, recordEvent(this.#intake, { event, matches, now, allowRun })];
        } catch (error) {
          throw batched && error instanceof EngineError ? inBatch(error, index) : error;
        }
      }),
    );
    return taken.map(([event, recorded]) => this.#taken(tenant, event, recorded, now));
  }

  /**
   * Events edgeflow emits itself (run lifecycle events, `lifecycle-events.ts`): `take` runs inside
   * the transaction that stores them, so taking them off their rows and storing them with their
   * matches is one commit. Not rate limited as posted events are (the runs behind them were
   * admitted); the runs they start count against `max_event_runs_per_minute` like any other.
   * Answers how many were stored.
   */
  async receiveEmitted(tenant: string, take: (now: number) => EmittedEvent[]): Promise<number> {
    const sandbox = await this.#parts.evaluator.get();
    // From here to the commit nothing awaits.
    const subscriptions = this.#parts.subscriptions.all();
    const now = Date.now();
    const allowRun = this.#parts.limits.allowRun(now);
    const budget = new MatchBudget(sandbox);
    const taken = this.#parts.storage.transactionSync(() =>
      take(now).map(({ event, depth, chainRoot }): [TriggerEvent, RecordedEvent] => {
        if (hasEvent(this.#sql, event.id))
          return [event, { answer: eventAnswerOf(this.#sql, event.id), starts: [], stored: false }];
        const matches = matchEvent(event, subscriptions, sandbox, budget);
        return [
          event,
          recordEvent(this.#intake, {
            event,
            matches,
            now,
            allowRun,
            chain: { depth, root: chainRoot },
          }),
        ];
      }),
    );
    for (const [event, recorded] of taken) this.#taken(tenant, event, recorded, now);
    return taken.length;
  }

  /**
   * Right after the transaction, with no `await` in between: arm the alarm, start the runs (or,
   * `deferred`, leave them to the alarm, armed for now: `start-deferral.ts`).
   */
  #taken(
    tenant: string,
    event: TriggerEvent,
    recorded: RecordedEvent,
    now: number,
    deferred = false,
  ): EventReceipt {
    const { alarm, starter, limits } = this.#parts;
    if (recorded.starts.length > 0 && deferred) {
      alarm.ensureBy(now);
    } else if (recorded.starts.length > 0) {
      alarm.ensureBy(now + REDRIVE_AFTER_MS);
      // Not awaited: the answer goes out once the rows (and the alarm) are durable; the starts
      // follow, and the DO's output gate holds them until then too.
      void starter.startAll(tenant, recorded.starts, event);
    } else if (recorded.stored) {
      alarm.ensureBy(now + EVENT_RETENTION_MS);
    }
    if (recorded.stored) {
      limits.stored(now);
      this.#parts.metrics?.eventReceived(event.type);
    }
    return { answer: recorded.answer, duplicate: !recorded.stored };
  }

  get #deferral(): StartDeferral {
    return this.#parts.deferral ?? DEFAULT_DEFERRAL;
  }

  get #sql(): SqlStorage {
    return this.#parts.storage.sql;
  }

  get #intake(): IntakeStorage {
    return this.#parts.storage;
  }
}

const DEFAULT_DEFERRAL = startDeferralOf(undefined);

/** A problem with the `index`th event of a posted batch, located there. */
function inBatch(error: EngineError, index: number): EngineError {
  return new EngineError(error.code, `events[${index}]: ${error.message}`, {
    path: `events[${index}].${error.path ?? ""}`.replace(/\.$/, ""),
  });
}
