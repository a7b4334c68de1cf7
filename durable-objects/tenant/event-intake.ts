/**
 * @module
 * Storing one event and what it matched, atomically: the event row, one log row per matching
 * subscription (a run to start with its pre-minted id, or why not), the webhook dedup rows with
 * the answer, and a pending-start row per run, all in one SQLite transaction. The caller answers
 * 2xx only after this returns, then starts the runs; whatever a crash leaves behind, the alarm
 * re-drives from the pending starts. Synchronous: no other request can interleave.
 */
import type { ErrorShape } from "../../engine/errors.ts";
import type { EventMatch, TriggerEvent } from "../../engine/events/index.ts";
import { newRunId } from "../bindings.ts";
import type { EventAnswer, LogEntry } from "./contracts.ts";
import { eventAnswerOf, insertEvent, insertLogEntries } from "./event-log.ts";
import { chainRunsOf, MAX_CHAIN_DEPTH, MAX_CHAIN_RUNS } from "./lifecycle-events.ts";
import { insertPendingStart, type PendingStart, REDRIVE_AFTER_MS } from "./pending-starts.ts";
import { rememberDelivery } from "./webhook-dedup.ts";

export interface IntakeStorage {
  sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
}

export interface RecordEventOptions {
  event: TriggerEvent;
  matches: readonly EventMatch[];
  now: number;
  /** a verified webhook delivery: its endpoint and the dedup keys of the groups that verified */
  dedup?: { endpoint: string; keys: readonly string[] };
  detail?: Record<string, unknown>;
  /**
   * when the alarm should take up the runs' pending starts: by default `now + REDRIVE_AFTER_MS`
   * (a re-drive, the caller starts them at once); `now` when the caller leaves them to the alarm's
   * drain (`start-deferral.ts`)
   */
  startsDueAt?: number;
  /** asked once per run about to be promised; false logs the match as `rate_limited` */
  allowRun: () => boolean;
  /**
   * set for a run lifecycle event: the depth and chain root of the run it is about. Its runs get
   * depth + 1 and the same root; past `MAX_CHAIN_DEPTH` a match starts none (`start_failed`,
   * `events.chain_depth_exceeded`), nor once the root has `MAX_CHAIN_RUNS` descendants
   * (`events.chain_budget_exceeded`).
   */
  chain?: { depth: number; root: string };
}

export interface RecordedEvent {
  answer: EventAnswer;
  /** runs to start now (empty for a duplicate event) */
  starts: PendingStart[];
  /** false when an event with this id was already stored: `answer` is the original one */
  stored: boolean;
}

export function recordEvent(storage: IntakeStorage, options: RecordEventOptions): RecordedEvent {
  const { event, now } = options;
  return storage.transactionSync(() => {
    const { sql } = storage;
    const stored = insertEvent(sql, {
      id: event.id,
      type: event.type,
      source: event.source,
      receivedAt: event.receivedAt,
      status: "accepted",
      event,
      ...(options.detail === undefined ? {} : { detail: options.detail }),
    });
    if (!stored) return { answer: eventAnswerOf(sql, event.id), starts: [], stored: false };
    const entries: LogEntry[] = [];
    const starts: PendingStart[] = [];
    const { chain } = options;
    // runs this chain already has; the starts promised below count too
    const chainRuns = chain === undefined ? 0 : chainRunsOf(sql, chain.root);
    options.matches.forEach((match, position) => {
      const { subscription } = match;
      const entry: LogEntry = {
        position,
        subscriptionId: subscription.id,
        workflow: subscription.workflow,
        outcome: "pending",
      };
      if ("skipped" in match) {
        entry.outcome = match.skipped;
        if (match.error !== undefined) entry.error = match.error;
      } else if (chain !== undefined && chain.depth >= MAX_CHAIN_DEPTH) {
        entry.outcome = "start_failed";
        entry.error = chainTooDeep();
      } else if (chain !== undefined && chainRuns + starts.length >= MAX_CHAIN_RUNS) {
        entry.outcome = "start_failed";
        entry.error = chainTooLarge();
      } else if (!options.allowRun()) {
        entry.outcome = "rate_limited";
      } else {
        entry.runId = newRunId();
        const start: PendingStart = {
          runId: entry.runId,
          eventId: event.id,
          position,
          workflow: subscription.workflow,
          inputs: match.inputs,
          attempts: 0,
          nextAttemptAt: options.startsDueAt ?? now + REDRIVE_AFTER_MS,
        };
        if (subscription.version !== undefined) start.version = subscription.version;
        if (chain !== undefined) {
          start.depth = chain.depth + 1;
          start.chainRoot = chain.root;
        }
        starts.push(start);
      }
      entries.push(entry);
    });
    insertLogEntries(sql, event.id, entries);
    for (const start of starts) insertPendingStart(sql, start);
    const answer: EventAnswer = { event_id: event.id, runs: starts.map((start) => start.runId) };
    for (const key of options.dedup?.keys ?? [])
      rememberDelivery(sql, options.dedup!.endpoint, key, answer, now);
    return { answer, starts, stored: true };
  });
}

function chainTooDeep(): ErrorShape {
  return {
    code: "events.chain_depth_exceeded",
    message: `This run lifecycle event comes from a run already ${MAX_CHAIN_DEPTH} lifecycle events deep: the chain stops here (a workflow that starts itself, or a loop of workflows).`,
  };
}

function chainTooLarge(): ErrorShape {
  return {
    code: "events.chain_budget_exceeded",
    message: `Run lifecycle events have already started ${MAX_CHAIN_RUNS} runs in this chain (from one run started by an agent, a webhook, a schedule or a posted event): the chain stops here.`,
  };
}
