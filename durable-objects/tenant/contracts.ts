/**
 * @module
 * Every shape that crosses the TenantDO's RPC boundary: the arguments and results of its public
 * methods, and the vocabulary (statuses, outcomes, the page budget) callers validate against.
 * The worker imports these, never the storage modules that hold the table rows; row types stay
 * in their `*-store.ts`/`*-log.ts` files. Types, constants and the one shared error answer
 * (`unknownEndpoint`): no storage, no I/O.
 */

import type { AuditAction, AuditActor, AuditEntry, AuditObject } from "../../engine/audit/audit-entry.ts";
import { EngineError, type ErrorShape } from "../../engine/errors.ts";
import type { CatchupPolicy, ScheduleSpec, Subscription, TriggerEvent } from "../../engine/events/index.ts";
import type { Diagnostic } from "../../engine/loader/index.ts";
import type { CircuitStatus } from "../../engine/plugins/circuit.ts";
import type { ResolvedService } from "../../engine/plugins/descriptor.ts";
import type { EffectIntent } from "../../engine/plugins/effect.ts";
import type { PublishedDefinition } from "../../engine/plugins/published.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import type { CompatibilityReport } from "../../engine/versions/compatibility-rule.ts";

export interface TenantInfo {
  id: string;
  created_at: string;
}

/** Whether the tenant is active, suspended or being deleted (tenant/lifecycle-state.ts, docs/operations.md). */
export interface TenantLifecycle {
  status: "active" | "suspended" | "deleting";
  /** when the status was set (ISO 8601); absent for an active tenant */
  since?: string;
  /** the operator's note given with the suspension */
  reason?: string;
}

export interface KeyInput {
  keyId: string;
  /** lowercase hex SHA-256 of the full key */
  hash: string;
  label?: string;
}

export interface KeyInfo {
  id: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export type TenantSettings = Record<string, unknown>;

/** One quota's limit and usage (`workflow_quota`, `GET /admin/tenants/:id/usage`; tenant/quota-usage.ts). */
export interface QuotaUsage {
  /** the quota's name, also the setting that changes it */
  quota: string;
  limit: number;
  /** null for a per-run limit (`max_state_bytes`): it is checked at each write of each run */
  usage: number | null;
  default: number;
  /** what is counted */
  counts: string;
}

export interface TenantUsage {
  quotas: QuotaUsage[];
  active_runs_policy: "refuse" | "queue";
  /** run starts waiting for an active-run slot (`active_runs_policy: queue`) */
  queued_starts: number;
}

export interface StoredWorkflow {
  name: string;
  version: string;
  description: string;
  yaml: string;
  /**
   * the loader's parsed definition with the plugin versions publish resolved (`resolved`), parsed
   * again when read from storage (`storage.corrupt` if it does not)
   */
  definition: PublishedDefinition;
  warnings: unknown[];
  published_at: string;
}

export interface WorkflowSummary {
  name: string;
  description: string;
  /** the highest published version */
  version: string;
  versions: string[];
  published_at: string;
  /** the version new runs and triggers get (workflow-release.ts) */
  default_version: string;
  /** the yanked versions, highest first */
  yanked: string[];
}

export type NewWorkflowVersion = Omit<StoredWorkflow, "published_at">;

/** What a publish answers: the workflow, whether this version is new, and the secrets it needs that the tenant has not set. */
export interface PublishedVersion {
  workflow: WorkflowSummary;
  created: boolean;
  /** `check.missing_secret` warnings (engine/loader/static-checks.ts), never stored with the version */
  secretWarnings: Diagnostic[];
  /** the comparison with the previous version (docs/versioning.md, "Compatibility"); absent for the first */
  compatibility?: CompatibilityReport;
}

export type IndexedRunStatus = "running" | "waiting" | "completed" | "failed" | "cancelled";

export interface RunIndexEntry {
  workflow_id: string;
  workflow: string;
  version: string;
  status: IndexedRunStatus;
  created_at: string;
  updated_at: string;
}

/** What a RunDO reports about its run; the index keeps the newest report per run. */
export interface RunIndexRecord {
  id: string;
  workflow: string;
  version: string;
  status: IndexedRunStatus;
  createdAt: number;
  updatedAt: number;
  /** lifecycle events that led to the run (tenant/lifecycle-events.ts); absent: 0 or as stored */
  depth?: number;
  /** the root run of its lifecycle chain (tenant/lifecycle-events.ts); absent: none or as stored */
  chainRoot?: string;
  /** the code of the error a failed run ended with (for its `run.failed` event) */
  errorCode?: string;
}

export interface StartRequest {
  workflow: string;
  version?: string;
  inputs: Record<string, unknown>;
}

export interface WebhookDelivery {
  /** the path after `/hooks/<tenant>` */
  endpoint: string;
  /** request headers, lowercased names */
  headers: Record<string, string>;
  /** the raw body, exactly as received */
  body: Uint8Array;
  contentType?: string;
  /** when the route received it (ms) */
  now: number;
}

export interface PostedEvent {
  id?: string;
  type: string;
  source?: string;
  payload?: unknown;
  /** when the route received it (ms) */
  now: number;
  /** the request's W3C `traceparent` header: kept (as the event's only header) when valid, so its runs continue that trace */
  traceparent?: string;
}

// ── rate limits (docs/operations.md, "Rate limits") ─────────────────────

/** Who posted events through `POST /events`: their key's `events` rate limits apply. */
export interface EventPoster {
  keyId: string;
}

/** What a request asks of the rate limits while its key is checked (`authenticate`). */
export interface Admission {
  surface: "mcp";
  /** units to charge: one per JSON-RPC message */
  cost: number;
  /**
   * units the edge would like charged ahead, beyond `cost`, to admit from its memo of this caller
   * (worker/keys/admitted-callers.ts): granted only when `cost` is admitted, and at most
   * {@link MAX_LEASE_UNITS} and half of what is left after `cost`
   */
  lease?: number;
  /** units of an earlier lease the memo did not use: given back first, only in that lease's window */
  refund?: RateLimitLease;
}

/** The most units one lease may hold. */
export const MAX_LEASE_UNITS = 64;

/** Units charged ahead for an edge's memo (`Admission.lease`), in the window that starts at `window`. */
export interface RateLimitLease {
  units: number;
  /** the window's start (ms since the epoch, the TenantDO's clock) */
  window: number;
}

/** A verdict with the units the TenantDO charged ahead for the edge's memo, if any. */
export interface LeasedVerdict extends RateLimitVerdict {
  lease?: RateLimitLease;
}

/** What became of one subscription's interest in an event. */
export const MATCH_OUTCOMES = [
  "pending",
  "started",
  "start_failed",
  "filtered_out",
  "filter_error",
  "mapping_error",
  "rate_limited",
] as const;

export type MatchOutcome = (typeof MATCH_OUTCOMES)[number];

/** `accepted`: stored and matched; `rejected`: a webhook delivery that failed verification; `skipped`: schedule fires the catch-up policy dropped. */
export const EVENT_STATUSES = ["accepted", "rejected", "skipped"] as const;

export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface LogEntry {
  position: number;
  subscriptionId: string;
  workflow: string;
  outcome: MatchOutcome;
  runId?: string;
  error?: ErrorShape;
}

export interface EventRecord {
  id: string;
  type: string;
  source: string;
  receivedAt: number;
  status: EventStatus;
  /** the event with its payload: given to `insertEvent`; read back only when asked for */
  event?: TriggerEvent;
  error?: ErrorShape;
  detail?: Record<string, unknown>;
  /** bytes of the stored event (0: none stored, e.g. a rejected delivery) */
  bodyBytes?: number;
  /** when the stored event was deleted to keep the tenant within its payload budget */
  bodyPrunedAt?: number;
}

/** The answer to the sender of an accepted event: its id and the runs it starts. */
export interface EventAnswer {
  event_id: string;
  runs: string[];
}

export interface EventReceipt {
  answer: EventAnswer;
  /** true when this was a retry of a delivery or event already taken in: `answer` is the original */
  duplicate: boolean;
}

/** The byte budget of one page: 1 MiB, far below the 32 MiB of an RPC value and what MCP clients take. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** Where a page starts: strictly after (older than) this event, in the log's order. */
export interface EventPosition {
  receivedAt: number;
  id: string;
}

export interface EventQuery {
  eventId?: string;
  type?: string;
  status?: EventStatus;
  workflow?: string;
  outcome?: MatchOutcome;
  /** received at or after (ms) */
  since?: number;
  /** received strictly before (ms) */
  before?: number;
  /** go on after this event (a previous page's `next`) */
  after?: EventPosition;
  limit: number;
  /** read each event's stored body (payload, headers) too */
  withBodies?: boolean;
  /** the page's byte budget; default and at most `MAX_PAGE_BYTES` */
  maxBytes?: number;
}

export interface LoggedEvent {
  record: EventRecord;
  entries: (LogEntry & { startedAt?: number })[];
  /** log entries left out because the event's entries alone were over the page budget */
  matchesTruncated?: number;
}

export interface EventPage {
  events: LoggedEvent[];
  /** more events may match: the position of the last one here */
  next?: EventPosition;
}

export interface NewSubscription {
  event_pattern: string;
  workflow: string;
  filter?: string;
  inputs_mapping?: Record<string, string>;
}

export type SubscriptionOrigin = "trigger" | "api";

export interface StoredSubscription {
  subscription: Subscription;
  origin: SubscriptionOrigin;
  createdAt: number;
}

export interface ScheduleRecord {
  id: string;
  spec: ScheduleSpec;
  catchup: CatchupPolicy;
  maxCatchup: number;
  lastFiredAt: number;
  nextFireAt: number | null;
}

/** A service to register for the tenant, already resolved by the worker against the plugin catalog. */
export interface NewTenantService extends ResolvedService {
  /** the `uses:` as written, e.g. `http@^1` */
  uses: string;
  description?: string;
}

/** A registered tenant service, as listed. `config` keeps its `{{ env.NAME }}` references. */
export interface TenantService extends NewTenantService {
  registered_at: string;
  updated_at: string;
}

/** `performEffect`: one effect of one run, performed by the TenantDO (it holds the secrets). */
export interface EffectRequest {
  runId: string;
  workflow: string;
  version: string;
  effect: EffectIntent;
  /** a traced run's W3C `traceparent` for the effect's span: outbound requests carry it */
  traceparent?: string;
}

/** A service's circuit breaker, as the `service_circuits` tool shows it. */
export interface CircuitView {
  service: string;
  status: CircuitStatus;
  consecutive_failures: number;
  failure_threshold: number;
  cool_down_seconds: number;
  /** when it last opened (ISO 8601) */
  opened_at?: string;
}

export interface SecretInfo {
  name: string;
  created_at: string;
  updated_at: string;
}

/**
 * The one answer for a webhook that reaches no trigger: a tenant id that is not well formed, a
 * tenant that does not exist, and a real tenant's endpoint that no trigger listens on all get
 * this same error (404 `hooks.unknown_endpoint`, the same message, echoing nothing), so the
 * answer cannot tell which tenants exist. The route and the TenantDO both answer it; it must
 * never name the tenant or the endpoint.
 */
export function unknownEndpoint(): EngineError {
  return new EngineError(
    "hooks.unknown_endpoint",
    "No webhook trigger listens on this endpoint. Check the URL against a published webhook trigger: /hooks/<tenant><endpoint>.",
  );
}

// ── audit log (tenant/audit-log.ts, engine/audit/) ─────────────────────────

/** Who asked for a change and in which request: every changing method of the TenantDO takes one. */
export interface AuditContext {
  /** `key:<key id>`, `admin`, `event`, `schedule` or `system` (never a key or token) */
  actor: AuditActor;
  /** the worker's request id (`X-Request-Id`) */
  requestId?: string;
  /** the request's W3C `traceparent` header as received: a run it starts continues that trace when valid */
  traceparent?: string;
}

/** What an entry records about a change; the TenantDO digests the values and links the entry. */
export interface AuditRecord {
  action: AuditAction;
  object: AuditObject;
  /** values that changed: each is recorded as the SHA-256 of its canonical JSON, never as itself */
  hashed?: Record<string, unknown>;
  /** names of secret values that changed: recorded as `"changed"`, not even hashed */
  changed?: readonly string[];
}

export interface AuditQuery {
  /** `newest` first (the default for readers) or `oldest` first (chain order, the export) */
  order: "newest" | "oldest";
  /** go on after this entry (the `next_cursor` of the previous page) */
  cursor?: string;
  limit: number;
  action?: AuditAction;
  /** epoch milliseconds, inclusive */
  since?: number;
  /** epoch milliseconds, exclusive */
  until?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** absent when nothing is left */
  next_cursor?: string;
}

/** `workflow_list_runs` page sizes: runs per page by default, and at most (tenant/run-listing.ts). */
export const RUNS_PAGE = { default: 50, max: 200 } as const;

/** Most runs one `migrateRuns` call visits (`workflow_migrate_runs`); the rest are reached with its cursor. */
export const MAX_RUNS_PER_MIGRATION_CALL = 100;
