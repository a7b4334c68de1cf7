/**
 * @module
 * TenantDO: one per tenant, the tenant's control plane and single writer of everything
 * tenant-wide: its API key hashes, settings, published workflow versions, run index, event
 * subscriptions and schedules (one alarm), the event log and its encrypted secrets. A thin class:
 * storage lives in `tenant/*.ts`, workflow logic in `engine/`, the shapes its RPC takes and
 * answers in `tenant/contracts.ts`. Every public method is an RPC entry point and answers an
 * `Outcome`. Every tenant-scoped method goes through `#forTenant`, the one guard that checks this
 * DO was created for the tenant the caller names; the only others are `createTenant` (it makes
 * the tenant), `authenticate` and `receiveWebhook` (each answers an unknown tenant with its own
 * error, `auth.invalid_key` and `hooks.unknown_endpoint`). `test/worker/tenant-guard.test.ts` calls every
 * method with another tenant's id. Secrets go out only as capabilities (`tenant/secret-vault.ts`).
 * The methods a tenant's own requests and runs reach go through `#forActiveTenant` as well, which
 * refuses a suspended tenant (`tenant.suspended`) or one being deleted; the deletion steps go
 * through `#forErasure`, which answers "done" once this object is empty (docs/operations.md).
 */

import { DurableObject } from "cloudflare:workers";
import { canonicalJson } from "../engine/audit/canonical-json.ts";
import { EngineError, isEngineError } from "../engine/errors.ts";
import { triggerProblems } from "../engine/events/index.ts";
import { missingSecretWarnings } from "../engine/loader/index.ts";
import type { StepMetricsBatch } from "../engine/metrics/step-observations.ts";
import type { PackageYank } from "../engine/packages/package-format.ts";
import type { EffectOutcome } from "../engine/plugins/effect.ts";
import { type PublishedDefinition, withoutResolved } from "../engine/plugins/published.ts";
import type { RateLimitVerdict } from "../engine/rate-limits/rate-limited-error.ts";
import type { ReleaseChange, ReleaseState } from "../engine/release/release-change.ts";
import { checkInputs } from "../engine/state/index.ts";
import type { RecordedSpan } from "../engine/telemetry/span.ts";
import type { CompatibilityReport } from "../engine/versions/compatibility-rule.ts";
import { type DurableObjectBindings, newRunId, runStub } from "./bindings.ts";
import { type Outcome, toOutcome, unwrap } from "./outcome.ts";
import type { RunAnswer } from "./run/contracts.ts";
import { LazyEvaluator } from "./run/lazy-evaluator.ts";
import type {
  BulkMigrationAnswer,
  BulkMigrationRequest,
  RunMigrationAnswer,
  RunRollbackAnswer,
} from "./run/migration-contracts.ts";
import { applyMigrations, upgradeIfCreated } from "./storage/schema-migrations.ts";
import { TENANT_MIGRATIONS } from "./storage/tenant-schema.ts";
import { insertKey, listKeys, revokeKey, verifyKey } from "./tenant/api-keys.ts";
import { appendAudit, auditPage } from "./tenant/audit-log.ts";
import { CircuitStore } from "./tenant/circuit-store.ts";
import {
  type Admission,
  type AuditContext,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type CircuitView,
  type EffectRequest,
  type EventPage,
  type EventPoster,
  type EventQuery,
  type EventReceipt,
  type KeyInfo,
  type KeyInput,
  type LeasedVerdict,
  type NewSubscription,
  type NewTenantService,
  type NewWorkflowVersion,
  type PostedEvent,
  type PublishedVersion,
  type RunIndexEntry,
  type RunIndexRecord,
  type ScheduleRecord,
  type SecretInfo,
  type StartRequest,
  type StoredSubscription,
  type StoredWorkflow,
  type TenantInfo,
  type TenantLifecycle,
  type TenantService,
  type TenantSettings,
  type TenantUsage,
  unknownEndpoint,
  type WebhookDelivery,
  type WorkflowSummary,
} from "./tenant/contracts.ts";
import { uncountRunStarted } from "./tenant/daily-run-count.ts";
import { runDueTimers } from "./tenant/due-timers.ts";
import { runEffect } from "./tenant/effect-runner.ts";
import { queryEventPage } from "./tenant/event-pages.ts";
import { EventReception } from "./tenant/event-reception.ts";
import { IntakeLimits } from "./tenant/intake-limits.ts";
import { intakeMemosOn, KnownTenant } from "./tenant/known-tenant.ts";
import { LifecycleEmitter } from "./tenant/lifecycle-emitter.ts";
import {
  isActive,
  markActive,
  markDeleting,
  markSuspended,
  readLifecycle,
  requireActive,
} from "./tenant/lifecycle-state.ts";
import { hasPendingStart } from "./tenant/pending-starts.ts";
import { pluginBindingsOf } from "./tenant/plugin-bindings.ts";
import { findPlugin } from "./tenant/plugin-registry.ts";
import { checkCompatibility, judgePublish } from "./tenant/publish-compatibility.ts";
import { checkQuotaSettingsPatch, quotaLimitsOf, stateLimitOf } from "./tenant/quota-settings.ts";
import { assertRoomToPublish, readTenantUsage } from "./tenant/quota-usage.ts";
import { insertTenant, readTenant, requireTenant } from "./tenant/registration.ts";
import { RunAdmission } from "./tenant/run-admission.ts";
import { hasRun, isActiveStatus, listRuns, resetRunExpiries } from "./tenant/run-index.ts";
import { checkSettingsPatch, runLimitsOf } from "./tenant/run-limits.ts";
import { listRunPage, type RunListPage, type RunListQuery } from "./tenant/run-listing.ts";
import { type MigrationScope, migrateRun, migrateRunPage, rollbackRun } from "./tenant/run-migrations.ts";
import { deleteExpiredRuns, makeRoomForRun, StartReservations } from "./tenant/run-retention.ts";
import { RunStarter } from "./tenant/run-starter.ts";
import { type CapabilityResolver, type SecretKeeping, SecretVault } from "./tenant/secret-vault.ts";
import { TenantServices } from "./tenant/service-lookup.ts";
import { deleteServiceRow, listServiceRows, upsertService } from "./tenant/service-store.ts";
import { patchSettings, readSettings } from "./tenant/settings.ts";
import { SignInLinks } from "./tenant/sign-in-links.ts";
import { SpanExporter } from "./tenant/span-exporter.ts";
import { startDeferralOf } from "./tenant/start-deferral.ts";
import { StartDefinitions, startCacheOn } from "./tenant/start-definitions.ts";
import { SubscriptionRegistry } from "./tenant/subscription-registry.ts";
import { type ErasedPage, eraseRunPage } from "./tenant/tenant-erasure.ts";
import { checkMetricsSettingsPatch, type MetricsSnapshot, TenantMetrics } from "./tenant/tenant-metrics.ts";
import { TenantRateLimits } from "./tenant/tenant-rate-limits.ts";
import { TimerAlarm } from "./tenant/timer-alarm.ts";
import { checkTraceSettingsPatch, runTraceFor } from "./tenant/trace-settings.ts";
import {
  allVersionsOf,
  applyYanks,
  assertTriggersValid,
  insertVersions,
} from "./tenant/workflow-packages.ts";
import { applyReleaseChange, releaseState } from "./tenant/workflow-release.ts";
import { getVersion, insertVersion, listVersions, listWorkflows } from "./tenant/workflow-store.ts";

const MAX_LISTED_RUNS = 200;
/** Most active runs `resume` wakes at once; any others continue at their next alarm's re-check. */
const MAX_WOKEN_RUNS = 500;

/** Who a change is recorded as when the caller names no one (direct RPC from tests and tools of ours). */
const SYSTEM: AuditContext = { actor: "system" };

/** The operator (actor `admin`) changes a suspended tenant's services; anyone else needs it active. */
function serviceGuard(audit: AuditContext): "tenant" | "active" {
  return audit.actor === "admin" ? "tenant" : "active";
}

/** What the TenantDO reads from the worker's environment. */
export interface TenantEnv extends DurableObjectBindings {
  /** platform secret tenant secrets are encrypted with (AES-GCM, a key derived per tenant) */
  SECRETS_KEY?: string;
  /** `1`: plugins may reach loopback and private addresses (local development and tests only) */
  EDGEFLOW_ALLOW_PRIVATE_EGRESS?: string;
  /** the KV namespace of the `kv` plugin and `external_state: {backend: kv}` */
  STATE_KV?: KVNamespace;
  /** the R2 bucket of the `r2` plugin */
  FILES?: R2Bucket;
  /** Cloudflare's send_email binding, for the `email` plugin */
  EMAIL?: SendEmail;
  /** `off`: a busy tenant still starts every event's runs at once (tenant/start-deferral.ts) */
  EDGEFLOW_INTAKE_DEFER_STARTS?: string;
  /** `off`: the webhook intake reads its tenant row and metric series again on every delivery (tenant/known-tenant.ts) */
  EDGEFLOW_INTAKE_MEMOS?: string;
  /** `off`: `workflow_start` reads and checks the workflow's rows on every start (tenant/start-definitions.ts) */
  EDGEFLOW_RUN_START_CACHE?: string;
}

export class TenantDO extends DurableObject<TenantEnv> {
  /** one expression sandbox per TenantDO (trigger filters, mappings), never shared across tenants */
  readonly #evaluator = new LazyEvaluator();
  // The helpers below hold in-memory views of this object's storage (decrypted secrets, cached
  // settings and definitions, pending results): `#build` makes them, again after an erasure.
  #alarm!: TimerAlarm;
  /** a traced tenant's spans, buffered and exported from the alarm (tenant/span-exporter.ts) */
  #spans!: SpanExporter;
  /** set, delete, list by name; the vault itself goes to intake only as its `WebhookVerifier` */
  #secrets!: SecretKeeping;
  #subscriptions!: SubscriptionRegistry;
  #limits!: IntakeLimits;
  /** durable per-tenant and per-key rate limits (tenant/tenant-rate-limits.ts) */
  #rateLimits!: TenantRateLimits;
  /** starts in flight under the stored-runs cap, shared by event starts and `workflow_start` */
  #reservations!: StartReservations;
  /** the run quotas (`max_active_runs`, `max_runs_per_day`) and the queue for a free slot */
  #admission!: RunAdmission;
  #starter!: RunStarter;
  /** the workflow versions `startRun` starts, parsed once (tenant/start-definitions.ts) */
  #startDefinitions!: StartDefinitions;
  #reception!: EventReception;
  /** the tenant this object holds, remembered for the webhook intake (tenant/known-tenant.ts) */
  #knownTenant!: KnownTenant;
  #lifecycle!: LifecycleEmitter;
  #capabilities!: CapabilityResolver;
  #circuits!: CircuitStore;
  /** one-time sign-in links for the OAuth consent page (worker/oauth) */
  #signInLinks!: SignInLinks;
  /** the service an effect names: the workflow version's own, else the tenant's registered one */
  #services!: TenantServices;
  /** counters and histograms for `GET /metrics`, kept in this object's SQLite (tenant-metrics.ts) */
  #metrics!: TenantMetrics;

  constructor(ctx: DurableObjectState, env: TenantEnv) {
    super(ctx, env);
    this.#build();
    void ctx.blockConcurrencyWhile(async () => {
      // Writes nothing unless the tenant exists: only createTenant creates the schema.
      upgradeIfCreated(ctx.storage, TENANT_MIGRATIONS);
      await this.#alarm.load();
    });
  }

  // ── tenants and keys (admin) ────────────────────────────────────────────

  createTenant(
    id: string,
    key: KeyInput,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ tenant: TenantInfo; key: KeyInfo }>> {
    return toOutcome(() =>
      this.ctx.storage.transactionSync(() => {
        applyMigrations(this.ctx.storage, TENANT_MIGRATIONS);
        const now = Date.now();
        const tenant = insertTenant(this.#sql, id, now);
        const first = insertKey(this.#sql, key, now);
        this.#audit({ action: "tenant.create", object: { type: "tenant", id } }, audit, now);
        return { tenant, key: first };
      }),
    );
  }

  describeTenant(
    id: string,
  ): Promise<
    Outcome<{ tenant: TenantInfo; keys: KeyInfo[]; settings: TenantSettings; lifecycle: TenantLifecycle }>
  > {
    return this.#forTenant(id, (tenant) => ({
      tenant,
      keys: listKeys(this.#sql),
      settings: readSettings(this.#sql),
      lifecycle: readLifecycle(this.#kv),
    }));
  }

  /**
   * Sets the named settings; a `null` value removes one. Known settings are checked first
   * (`settings.invalid`). A new retention applies to runs already finished. Answers all settings.
   */
  updateSettings(
    id: string,
    patch: Record<string, unknown>,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<TenantSettings>> {
    return this.#forTenant(id, async () => {
      checkSettingsPatch(patch);
      checkQuotaSettingsPatch(patch);
      checkMetricsSettingsPatch(patch);
      checkTraceSettingsPatch(patch);
      const settings = this.ctx.storage.transactionSync(() => {
        const before = canonicalJson(readSettings(this.#sql));
        const patched = patchSettings(this.#sql, patch);
        const object = { type: "settings", id };
        // a patch that changes nothing (`{}`, the values already set) records nothing
        if (canonicalJson(patched) !== before)
          this.#audit({ action: "settings.update", object, hashed: { patch } }, audit, Date.now());
        if (Object.hasOwn(patch, "run_retention_days"))
          resetRunExpiries(this.#sql, runLimitsOf(patched).retentionMs);
        return patched;
      });
      this.#limits.settingsChanged();
      this.#rateLimits.settingsChanged();
      this.#metrics.settingsChanged();
      if (Object.hasOwn(patch, "run_retention_days")) await this.#alarm.rearm();
      this.#wakeQueuedStarts();
      return settings;
    });
  }

  addKey(id: string, key: KeyInput, audit: AuditContext = SYSTEM): Promise<Outcome<KeyInfo>> {
    return this.#audited(id, audit, (now) => {
      const added = insertKey(this.#sql, key, now);
      return { value: added, record: { action: "key.create", object: { type: "key", id: added.id } } };
    });
  }

  revokeKey(id: string, keyId: string, audit: AuditContext = SYSTEM): Promise<Outcome<KeyInfo>> {
    return this.#audited(id, audit, (now) => {
      const { key, changed } = revokeKey(this.#sql, keyId, now);
      const record = { action: "key.revoke" as const, object: { type: "key", id: key.id } };
      return { value: key, record: changed ? record : undefined };
    });
  }

  /**
   * Checks a presented key (by id and SHA-256 hash). Unknown tenant, key, or revoked, or a tenant
   * being deleted: `auth.invalid_key`. A valid key of a suspended tenant: `tenant.suspended`. With
   * an `admission`, a valid key's request is also charged to the rate limits in the same call (no
   * extra round trip); the verdict comes back for the edge to act on, with the lease the edge's memo
   * may admit from (`TenantRateLimits.admitLeasing`).
   */
  authenticate(
    id: string,
    keyId: string,
    hash: string,
    admission?: Admission,
  ): Promise<Outcome<{ tenant: string; rateLimit?: LeasedVerdict }>> {
    return toOutcome(() => {
      const tenant = readTenant(this.#sql);
      const valid = tenant !== null && verifyKey(this.#sql, keyId, hash);
      const invalid = () =>
        new EngineError("auth.invalid_key", "The API key is not valid (unknown or revoked).");
      if (tenant === null || tenant.id !== id || !valid) throw invalid();
      requireActive(this.#kv, tenant.id, invalid);
      if (admission === undefined) return { tenant: tenant.id };
      const rateLimit = this.#rateLimits.admitLeasing(admission.surface, admission, Date.now(), keyId);
      return { tenant: tenant.id, rateLimit };
    });
  }

  /**
   * An OAuth caller whose credential the worker already checked (a token's grant, or an API key
   * the provider verified on this request): refused when the tenant is suspended
   * (`tenant.suspended`) or being deleted (`tenant.not_found`), and charged to the rate limits
   * like `authenticate` (`caller` is its per-key bucket: the key's id, or `oauth:<grant id>`).
   */
  admitCaller(
    id: string,
    caller: string,
    admission?: Admission,
  ): Promise<Outcome<{ rateLimit?: LeasedVerdict }>> {
    return this.#forActiveTenant(id, () =>
      admission === undefined
        ? {}
        : {
            rateLimit: this.#rateLimits.admitLeasing(admission.surface, admission, Date.now(), caller),
          },
    );
  }

  /** Charges one admin request on this tenant to its `admin` rate limit (`ratelimit.exceeded` when full). */
  admitAdmin(id: string): Promise<Outcome<RateLimitVerdict>> {
    return this.#forTenant(id, () => this.#rateLimits.require("admin", 1, Date.now()));
  }

  /** Keeps a one-time sign-in link (by the hash of its secret) until `expiresAt` (ms); audited. */
  issueSignInLink(
    id: string,
    hash: string,
    expiresAt: number,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ expiresAt: number }>> {
    return this.#audited(id, audit, (now) => {
      this.#signInLinks.issue(hash, expiresAt, now);
      return {
        value: { expiresAt },
        record: { action: "sign_in_link.create", object: { type: "tenant", id } },
      };
    });
  }

  /** Whether a sign-in link is still usable, without using it: its expiry, or `null`. */
  peekSignInLink(id: string, hash: string): Promise<Outcome<{ expiresAt: number | null }>> {
    return this.#forActiveTenant(id, () => ({ expiresAt: this.#signInLinks.peek(hash, Date.now()) }));
  }

  /** Uses a sign-in link up: `redeemed` is true the first time only. */
  redeemSignInLink(id: string, hash: string): Promise<Outcome<{ redeemed: boolean }>> {
    return this.#forActiveTenant(id, () => ({ redeemed: this.#signInLinks.redeem(hash, Date.now()) }));
  }

  /** Withdraws every unused sign-in link of the tenant: `withdrawn` is how many were still usable. */
  withdrawSignInLinks(id: string): Promise<Outcome<{ withdrawn: number }>> {
    return this.#forTenant(id, () => ({ withdrawn: this.#signInLinks.withdrawAll(Date.now()) }));
  }

  // ── workflow definitions ────────────────────────────────────────────────

  publishWorkflow(
    tenant: string,
    version: NewWorkflowVersion,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<PublishedVersion>> {
    return this.#forActiveTenant(tenant, async () => {
      const definition = version.definition;
      const [problem] = triggerProblems(definition);
      if (problem !== undefined) {
        throw new EngineError(
          problem.code,
          problem.message,
          problem.path === undefined ? {} : { path: problem.path },
        );
      }
      const now = Date.now();
      const { created, compatibility } = this.ctx.storage.transactionSync(() => {
        assertRoomToPublish(this.#sql, version.name, version.version);
        const compatibility = checkCompatibility(this.#sql, definition);
        const inserted = insertVersion(this.#sql, version, now);
        if (inserted.created) {
          this.#subscriptions.registerTriggers(definition, now);
          const object = { type: "workflow", id: `${version.name}@${version.version}` };
          this.#audit({ action: "workflow.publish", object, hashed: { yaml: version.yaml } }, audit, now);
        }
        return { ...inserted, compatibility };
      });
      if (created) {
        // After the publish has committed: drop caches and re-arm for the schedules.
        this.#subscriptions.invalidate();
        this.#starter.invalidate();
        this.#startDefinitions.invalidate();
        await this.#alarm.rearm();
      }
      const summary = listWorkflows(this.#sql).find((workflow) => workflow.name === version.name)!;
      // not stored with the version: the secret may be set after the publish
      const secretNames = new Set(this.#secrets.list().map((secret) => secret.name));
      const tenantServices = listServiceRows(this.#sql);
      const secretWarnings = missingSecretWarnings(definition, version.yaml, secretNames, tenantServices);
      return { workflow: summary, created, secretWarnings, ...(compatibility && { compatibility }) };
    });
  }

  /**
   * `workflow_validate`: what publish's compatibility rule (tenant/publish-compatibility.ts) says of
   * `definition` now, without storing it: the report, and the refusal's message when it refuses.
   */
  judgeCompatibility(
    tenant: string,
    definition: PublishedDefinition,
  ): Promise<Outcome<{ report?: CompatibilityReport; refusal?: string }>> {
    return this.#forActiveTenant(tenant, () => {
      const { report, below, above } = judgePublish(this.#sql, definition);
      const refused = below ?? above;
      return {
        ...(report === undefined ? {} : { report }),
        ...(refused === undefined ? {} : { refusal: refused.message }),
      };
    });
  }

  getWorkflow(
    tenant: string,
    name: string,
    version?: string,
  ): Promise<Outcome<{ workflow: StoredWorkflow; versions: string[]; release: ReleaseState }>> {
    return this.#forActiveTenant(tenant, () => ({
      workflow: getVersion(this.#sql, name, version),
      versions: listVersions(this.#sql, name),
      release: releaseState(this.#sql, name),
    }));
  }

  /** Every version of a workflow, ascending (`workflow_export` with format "package"; tenant/workflow-packages.ts). */
  exportWorkflowVersions(
    tenant: string,
    name: string,
    max: number,
  ): Promise<Outcome<{ versions: StoredWorkflow[]; yanked: PackageYank[] }>> {
    return this.#forActiveTenant(tenant, () => allVersionsOf(this.#sql, name, max));
  }

  /** Publishes checked versions of one workflow in the order given, then its yanks, all or none (`workflow_import`). */
  importWorkflowVersions(
    tenant: string,
    versions: NewWorkflowVersion[],
    yanks: PackageYank[],
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ created: boolean[] }>> {
    return this.#forActiveTenant(tenant, async () => {
      assertTriggersValid(versions);
      const now = Date.now();
      const { created, yanked } = this.ctx.storage.transactionSync(() => {
        const created = insertVersions(this.#sql, versions, now, (version) => {
          this.#subscriptions.registerTriggers(version.definition, now);
          const object = { type: "workflow", id: `${version.name}@${version.version}` };
          this.#audit({ action: "workflow.publish", object, hashed: { yaml: version.yaml } }, audit, now);
        });
        const name = versions[0]?.name ?? "";
        const yanked = applyYanks(this.#sql, name, yanks, now, (change) => {
          const object = { type: "workflow", id: `${change.workflow}@${change.version}` };
          this.#audit({ action: "workflow.yank", object, hashed: { change } }, audit, now);
        });
        // the default follows the non-yanked versions: its triggers replace the workflow's
        if (yanked) this.#subscriptions.registerTriggers(getVersion(this.#sql, name).definition, now);
        return { created, yanked };
      });
      if (created.some(Boolean) || yanked) {
        this.#subscriptions.invalidate();
        this.#starter.invalidate();
        this.#startDefinitions.invalidate();
        await this.#alarm.rearm();
      }
      return { created };
    });
  }

  /**
   * `workflow_set_default`, `workflow_yank`, `workflow_unyank` (tenant/workflow-release.ts): when
   * the default moves, its version's triggers replace the workflow's, in the same transaction.
   */
  changeRelease(
    tenant: string,
    change: ReleaseChange,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<ReleaseState & { changed: boolean }>> {
    return this.#forActiveTenant(tenant, async () => {
      const now = Date.now();
      const changed = this.ctx.storage.transactionSync(() => {
        const before = releaseState(this.#sql, change.workflow).default_version;
        if (!applyReleaseChange(this.#sql, change, now)) return false;
        const after = releaseState(this.#sql, change.workflow).default_version;
        if (after !== before)
          this.#subscriptions.registerTriggers(getVersion(this.#sql, change.workflow).definition, now);
        const object = { type: "workflow", id: `${change.workflow}@${change.version}` };
        this.#audit({ action: `workflow.${change.action}`, object, hashed: { change } }, audit, now);
        return true;
      });
      if (changed) {
        this.#subscriptions.invalidate();
        this.#starter.invalidate();
        this.#startDefinitions.invalidate();
        await this.#alarm.rearm();
      }
      return { ...releaseState(this.#sql, change.workflow), changed };
    });
  }

  listWorkflows(tenant: string): Promise<Outcome<WorkflowSummary[]>> {
    return this.#forActiveTenant(tenant, () => listWorkflows(this.#sql));
  }

  // ── run index ───────────────────────────────────────────────────────────

  listRuns(tenant: string, options: { activeOnly: boolean }): Promise<Outcome<RunIndexEntry[]>> {
    return this.#forActiveTenant(tenant, () =>
      listRuns(this.#sql, { activeOnly: options.activeOnly, limit: MAX_LISTED_RUNS }),
    );
  }

  /** `workflow_list_runs`: runs of every status, filtered, newest first, one page (tenant/run-listing.ts). */
  listRunPage(tenant: string, query: RunListQuery): Promise<Outcome<RunListPage>> {
    return this.#forActiveTenant(tenant, () => listRunPage(this.#sql, query));
  }

  /**
   * Whether the run exists for this tenant (in the run index, or being started from an event): a
   * tool reaches a RunDO only after this answers, so a made-up run id never creates one.
   */
  requireRun(tenant: string, runId: string): Promise<Outcome<void>> {
    return this.#forActiveTenant(tenant, () => {
      if (!hasRun(this.#sql, runId) && !hasPendingStart(this.#sql, runId)) {
        throw new EngineError(
          "run.not_found",
          `No run "${runId}" for this tenant; workflow_list_active lists the runs still going.`,
          { path: "workflow_id" },
        );
      }
    });
  }

  /** Starts a run of a published workflow (its default version unless `version` is given); `audit.actor` is logged as its starter. */
  startRun(tenant: string, request: StartRequest, audit: AuditContext = SYSTEM): Promise<Outcome<RunAnswer>> {
    return this.#forActiveTenant(tenant, async () => {
      const stored = this.#startDefinitions.get(this.#sql, request.workflow, request.version);
      // refused here, bad inputs never reach (and so never create) a RunDO
      checkInputs(stored.definition, request.inputs);
      const runId = newRunId();
      const reservations = this.#reservations;
      // quotas first, with no side effect: a refused start must not cost a stored run
      this.#admission.check({ runId, now: Date.now(), mayQueue: false });
      await makeRoomForRun(this.#sql, this.env, tenant, reservations, runId);
      try {
        // an agent's start is never queued: the agent is there to retry (docs/operations.md "Quotas")
        const admittedAt = Date.now();
        this.#admission.admit({ runId, now: admittedAt, mayQueue: false });
        const outcome = await runStub(this.env, tenant, runId).start({
          tenant,
          runId,
          // the run keeps the dialect's definition; its pinned services stay here (service-lookup.ts)
          definition: withoutResolved(stored.definition),
          inputs: request.inputs,
          actor: audit.actor,
          ...stateLimitOf(readSettings(this.#sql)),
          ...runTraceFor(readSettings(this.#sql), audit.traceparent),
        });
        // a start the run refused (a coded error: it never started) does not use up the day's quota
        if (!outcome.ok) uncountRunStarted(this.#kv, admittedAt);
        const answer = await unwrap(outcome);
        this.#indexRun({
          id: runId,
          workflow: stored.name,
          version: stored.version,
          status: answer.run.status,
          createdAt: Date.parse(answer.run.created_at),
          updatedAt: Date.parse(answer.run.updated_at),
          ...(answer.run.error === undefined ? {} : { errorCode: answer.run.error.code }),
        });
        return answer;
      } finally {
        reservations.release(runId);
      }
    });
  }

  /** Called by a traced run's RunDO with the spans a transition finished: buffered, exported from the alarm. */
  recordSpans(tenant: string, spans: RecordedSpan[]): Promise<Outcome<void>> {
    return this.#forTenant(tenant, () => this.#spans.add(tenant, spans));
  }

  /**
   * Called by a RunDO after each status change of its run, with the step durations it logged since
   * the last batch (`steps`, counted once: tenant-metrics.ts); answers the run's metrics mark.
   */
  recordRun(
    tenant: string,
    record: RunIndexRecord,
    steps?: StepMetricsBatch,
  ): Promise<Outcome<{ throughSeq: number; enabled: boolean } | undefined>> {
    return this.#forTenant(tenant, () => {
      this.#indexRun(record);
      return steps === undefined ? undefined : this.#metrics.applyStepBatch(record.id, steps);
    });
  }

  /** A RunDO's batch of step durations between status changes (run/step-metrics.ts). */
  recordStepMetrics(
    tenant: string,
    runId: string,
    steps: StepMetricsBatch,
  ): Promise<Outcome<{ throughSeq: number; enabled: boolean }>> {
    return this.#forTenant(tenant, () => this.#metrics.applyStepBatch(runId, steps));
  }

  /** The tenant's series for `GET /metrics` (tenant key or admin token; a suspended tenant's too). */
  metricsSnapshot(tenant: string): Promise<Outcome<MetricsSnapshot>> {
    return this.#forTenant(tenant, () => this.#metrics.snapshot(this.#circuits.list(Date.now())));
  }

  /** Counts a refused intake in `edgeflow_events_rejected_total` (one per event), then rethrows. */
  async #countingRejections<T>(eventTypes: readonly string[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isEngineError(error)) this.#metrics.eventsRejected(eventTypes, error.code);
      throw error;
    }
  }

  /** Writes a run's index row; a finished run's expiry is a tenant timer, so the alarm is armed for it. */
  #indexRun(record: RunIndexRecord): void {
    this.#metrics.runIndexed(record);
    const expiresAt = this.#lifecycle.index(record);
    if (expiresAt !== null) this.#alarm.ensureBy(expiresAt);
    if (!isActiveStatus(record.status)) this.#wakeQueuedStarts();
  }

  /** A slot may have freed (a run ended, a limit changed): queued starts it can take start on the alarm. */
  #wakeQueuedStarts(): void {
    const now = Date.now();
    if (this.#admission.wakeQueued(now) > 0) this.#alarm.ensureBy(now);
  }

  // ── run migrations to another version (tenant/run-migrations.ts) ─────────

  migrateRun(
    tenant: string,
    runId: string,
    toVersion: string,
    dryRun: boolean,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<RunMigrationAnswer>> {
    return this.#forActiveTenant(tenant, () =>
      migrateRun(this.#migrationScope(tenant, audit), runId, toVersion, dryRun),
    );
  }

  rollbackRunMigration(
    tenant: string,
    runId: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<RunRollbackAnswer>> {
    return this.#forActiveTenant(tenant, () => rollbackRun(this.#migrationScope(tenant, audit), runId));
  }

  migrateRuns(
    tenant: string,
    request: BulkMigrationRequest,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<BulkMigrationAnswer>> {
    return this.#forActiveTenant(tenant, () => migrateRunPage(this.#migrationScope(tenant, audit), request));
  }

  #migrationScope(tenant: string, audit: AuditContext): MigrationScope {
    const record = (entry: AuditRecord) => this.#audit(entry, audit, Date.now());
    return { sql: this.#sql, env: this.env, tenant, audit, record };
  }

  // ── events: webhooks, posted events, subscriptions, the event log ───────

  /** A webhook delivery from `POST /hooks/:tenant/*` (unauthenticated: the signature decides). */
  receiveWebhook(tenant: string, delivery: WebhookDelivery): Promise<Outcome<EventReceipt>> {
    return toOutcome(() => {
      if (this.#knownTenant.id() !== tenant) throw unknownEndpoint();
      // a tenant being deleted is unknown at once; a suspended one is said so only to a sender
      // whose delivery verifies on a real endpoint (others learn nothing about the tenant)
      if (readLifecycle(this.#kv).status === "deleting") throw unknownEndpoint();
      return this.#countingRejections(["webhook"], () =>
        this.#reception.receiveWebhook(tenant, delivery, () =>
          requireActive(this.#kv, tenant, unknownEndpoint),
        ),
      );
    });
  }

  /** A custom or file_change event from `POST /events` (tenant key). */
  receiveEvent(tenant: string, event: PostedEvent, poster?: EventPoster): Promise<Outcome<EventReceipt>> {
    return this.#forActiveTenant(tenant, () =>
      this.#countingRejections([event.type], () => this.#reception.receiveEvent(tenant, event, poster)),
    );
  }

  /** Several events at once (`POST /events` with `{events: [...]}`, the R2 queue consumer): one commit. */
  receiveEvents(
    tenant: string,
    events: PostedEvent[],
    poster?: EventPoster,
  ): Promise<Outcome<EventReceipt[]>> {
    return this.#forActiveTenant(tenant, () =>
      this.#countingRejections(
        events.map((event) => event.type),
        () => this.#reception.receiveEvents(tenant, events, poster),
      ),
    );
  }

  subscribe(
    tenant: string,
    request: NewSubscription,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<StoredSubscription>> {
    return this.#forActiveTenant(tenant, () => {
      const now = Date.now();
      return this.#subscriptions.subscribe(request, now, (insert, subscription) =>
        this.ctx.storage.transactionSync(() => {
          insert();
          const object = { type: "subscription", id: subscription.id };
          this.#audit(
            { action: "subscription.create", object, hashed: { subscription: request } },
            audit,
            now,
          );
        }),
      );
    });
  }

  unsubscribe(
    tenant: string,
    id: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<StoredSubscription>> {
    return this.#audited(
      tenant,
      audit,
      () => ({
        value: this.#subscriptions.unsubscribe(id),
        record: { action: "subscription.delete", object: { type: "subscription", id } },
      }),
      "active",
    );
  }

  listSubscriptions(
    tenant: string,
    workflow?: string,
  ): Promise<Outcome<{ subscriptions: StoredSubscription[]; schedules: ScheduleRecord[] }>> {
    return this.#forActiveTenant(tenant, () => this.#subscriptions.list(workflow));
  }

  /** One page of the event log: bounded by `query.limit` and by bytes (`event-pages.ts`). */
  listEvents(tenant: string, query: EventQuery): Promise<Outcome<EventPage>> {
    return this.#forActiveTenant(tenant, () => queryEventPage(this.#sql, query));
  }

  // ── tenant services (resolved by the worker against the plugin catalog) ──
  // Reached by the operator (`/admin/tenants/:id/services`: actor `admin`, or `caller: "admin"`),
  // who manages a suspended tenant, and by the tenant's own tools, refused while it is suspended.

  /** Registers (or replaces) a service for all the tenant's workflows; its exact version is pinned. */
  registerService(
    tenant: string,
    service: NewTenantService,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ service: TenantService; created: boolean }>> {
    return this.#audited(
      tenant,
      audit,
      (now) => {
        const limits = quotaLimitsOf(readSettings(this.#sql));
        return {
          value: upsertService(this.#sql, service, now, {
            services: limits.max_services,
            plugins: limits.max_plugins,
          }),
          record: {
            action: "service.register",
            object: { type: "service", id: service.name },
            hashed: { service },
          },
        };
      },
      serviceGuard(audit),
    );
  }

  listServices(tenant: string, caller: "admin" | "tenant" = "tenant"): Promise<Outcome<TenantService[]>> {
    const work = () => listServiceRows(this.#sql);
    return caller === "admin" ? this.#forTenant(tenant, work) : this.#forActiveTenant(tenant, work);
  }

  deleteService(
    tenant: string,
    name: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ name: string; deleted: true }>> {
    return this.#audited(
      tenant,
      audit,
      () => {
        deleteServiceRow(this.#sql, name);
        return {
          value: { name, deleted: true as const },
          record: { action: "service.delete", object: { type: "service", id: name } },
        };
      },
      serviceGuard(audit),
    );
  }

  // ── secrets (values go in, never come out: webhook intake gets a verifier) ─

  /** Audited as `secret.set` with `changes: {value: "changed"}`: the value is never hashed (a short one could be guessed). */
  setSecret(
    tenant: string,
    name: string,
    value: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ name: string; created: boolean }>> {
    return this.#forTenant(tenant, async () => {
      const now = Date.now();
      const { created } = await this.#secrets.set(tenant, name, value, now, (write) =>
        this.ctx.storage.transactionSync(() => {
          const stored = write();
          this.#audit(
            { action: "secret.set", object: { type: "secret", id: name }, changed: ["value"] },
            audit,
            now,
          );
          return stored;
        }),
      );
      return { name, created };
    });
  }

  deleteSecret(
    tenant: string,
    name: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ name: string; deleted: true }>> {
    return this.#audited(tenant, audit, () => {
      this.#secrets.delete(name);
      return {
        value: { name, deleted: true as const },
        record: { action: "secret.delete", object: { type: "secret", id: name } },
      };
    });
  }

  listSecrets(tenant: string): Promise<Outcome<SecretInfo[]>> {
    return this.#forTenant(tenant, () => this.#secrets.list());
  }

  // ── the audit log (tenant/audit-log.ts) ─────────────────────────────────

  /**
   * Records a change made outside this DO (a run's cancel or state update): the one entry that
   * cannot share the change's transaction, so it is written first, as an intent
   * (worker/mcp/existing-run.ts `applyAuditedRunChange`).
   */
  recordAudit(tenant: string, record: AuditRecord, audit: AuditContext): Promise<Outcome<void>> {
    return this.#audited(tenant, audit, () => ({ value: undefined, record }));
  }

  /** One page of the audit log (`workflow_audit`, `GET /admin/tenants/:id/audit`). */
  listAudit(tenant: string, query: AuditQuery): Promise<Outcome<AuditPage>> {
    return this.#forTenant(tenant, () => auditPage(this.#sql, query));
  }

  // ── effects (external_call, notify, run-end notifications, external_state) ──

  /**
   * Performs one effect of a run: the TenantDO holds the secrets, so the call is made here
   * (tenant/effect-runner.ts). The call's own failures are an `EffectOutcome`, not an error.
   */
  performEffect(tenant: string, request: EffectRequest): Promise<Outcome<EffectOutcome>> {
    return this.#forActiveTenant(tenant, async () => {
      const outcome = await runEffect(tenant, request, {
        services: this.#services,
        plugins: findPlugin,
        secrets: this.#capabilities,
        circuits: this.#circuits,
        bindings: pluginBindingsOf(this.env),
        allowPrivateEgress: this.env.EDGEFLOW_ALLOW_PRIVATE_EGRESS === "1",
        now: () => Date.now(),
      });
      this.#metrics.externalCall(request.effect.service, outcome);
      return outcome;
    });
  }

  /** The tenant's circuit breakers, one per service that was called (`service_circuits`). */
  listCircuits(tenant: string): Promise<Outcome<CircuitView[]>> {
    return this.#forActiveTenant(tenant, () => this.#circuits.list(Date.now()));
  }

  // ── quotas ──────────────────────────────────────────────────────────────

  /** Usage against every quota, counted from storage (`workflow_quota`, `GET /admin/tenants/:id/usage`). */
  quotaUsage(tenant: string): Promise<Outcome<TenantUsage>> {
    return this.#forTenant(tenant, () => readTenantUsage(this.ctx.storage, Date.now()));
  }

  /**
   * Deletes expired runs, wakes queued starts for free slots, fires due schedules, re-drives pending
   * starts, prunes old rows, re-arms.
   * A suspended tenant's alarm does nothing and is not re-armed: `resume` re-arms it, and the
   * schedules then fire what they missed under their own `catchup` policy.
   */
  override async alarm(): Promise<void> {
    // the alarm that fired is spent, whatever happens below: a handler that throws must not leave
    // `ensureBy` believing it is still armed, or deferred starts would wait for nothing
    this.#alarm.fired();
    const tenant = readTenant(this.#sql);
    if (tenant === null) return;
    if (!isActive(this.#kv)) return;
    await deleteExpiredRuns(this.#sql, this.env, tenant.id, Date.now());
    await this.#lifecycle.drain();
    // free active-run slots go to queued starts first: they are due now, runDueTimers starts them
    this.#admission.wakeQueued(Date.now());
    await runDueTimers(
      {
        storage: this.ctx.storage,
        evaluator: this.#evaluator,
        subscriptions: this.#subscriptions,
        limits: this.#limits,
        alarm: this.#alarm,
        starter: this.#starter,
        metrics: this.#metrics,
      },
      tenant.id,
      Date.now(),
    );
    await this.#spans.flush(tenant.id);
  }

  // ── lifecycle: suspend, resume, delete (admin; docs/operations.md "Tenant lifecycle") ──

  /**
   * Suspends the tenant: its requests refused, its alarm and runs paused, its data kept. The audit
   * entry `tenant.suspend` (the reason hashed) is appended in the same transaction.
   */
  suspend(id: string, reason?: string, audit: AuditContext = SYSTEM): Promise<Outcome<TenantLifecycle>> {
    return this.#audited(id, audit, (now) => ({
      value: markSuspended(this.#kv, now, reason),
      record: {
        action: "tenant.suspend",
        object: { type: "tenant", id },
        ...(reason === undefined ? {} : { hashed: { reason } }),
      },
    }));
  }

  /**
   * Resumes the tenant: re-arms its alarm and wakes its active runs (at most `MAX_WOKEN_RUNS`).
   * A suspended tenant's resume appends `tenant.resume` to the audit log with the change; resuming
   * an active tenant changes nothing and records nothing.
   */
  resume(id: string, audit: AuditContext = SYSTEM): Promise<Outcome<TenantLifecycle>> {
    return this.#forTenant(id, async () => {
      const wasActive = isActive(this.#kv);
      const lifecycle = this.ctx.storage.transactionSync(() => {
        const active = markActive(this.#kv);
        if (!wasActive) {
          this.#audit({ action: "tenant.resume", object: { type: "tenant", id } }, audit, Date.now());
        }
        return active;
      });
      if (wasActive) return lifecycle;
      await this.#alarm.rearm();
      const active = listRuns(this.#sql, { activeOnly: true, limit: MAX_WOKEN_RUNS });
      await Promise.allSettled(
        active.map(async ({ workflow_id: runId }) => {
          const outcome = await runStub(this.env, id, runId).wake(id, runId);
          if (!outcome.ok) console.error(`run ${runId}: not woken`, outcome.error.code);
        }),
      );
      return lifecycle;
    });
  }

  /** Whether the tenant's runs may advance now (a RunDO's alarm asks before it does any work). */
  acceptsRunWork(tenant: string): Promise<Outcome<boolean>> {
    return this.#forTenant(tenant, () => isActive(this.#kv));
  }

  /**
   * Deletion, step one: from now on the tenant answers as unknown to every tenant request, and
   * its alarm is off. A tenant already erased (this object empty) answers `erased: true`.
   */
  beginDeletion(id: string): Promise<Outcome<{ erased: boolean }>> {
    return this.#forErasure<{ erased: boolean }>(
      id,
      async () => {
        markDeleting(this.#kv, Date.now());
        await this.ctx.storage.deleteAlarm();
        return { erased: false };
      },
      { erased: true },
    );
  }

  /** Deletion, step two (repeated until nothing remains): erases a page of the tenant's runs. */
  eraseRuns(id: string): Promise<Outcome<ErasedPage>> {
    return this.#forErasure(id, () => eraseRunPage(this.#sql, this.env, id), { erased: 0, remaining: 0 });
  }

  /** Deletion, last step: every table, key and setting of this object, and its alarm. Idempotent. */
  eraseTenant(id: string): Promise<Outcome<{ erased: boolean }>> {
    return this.#forErasure<{ erased: boolean }>(
      id,
      async () => {
        await this.ctx.storage.deleteAlarm();
        await this.ctx.storage.deleteAll();
        // every in-memory view of what was deleted (decrypted secrets, settings, definitions,
        // pending results) goes with it, so a tenant created again under this id starts empty
        this.#starter.discard();
        this.#build();
        await this.#alarm.load();
        return { erased: true };
      },
      { erased: true },
    );
  }

  /**
   * The guard of the deletion steps: this object holds `tenant`, or holds no tenant at all (an
   * erasure that already finished here answers `done`); another tenant's id is `tenant.not_found`.
   */
  #forErasure<T>(tenant: string, work: () => T | Promise<T>, done: T): Promise<Outcome<T>> {
    return toOutcome(() => {
      if (readTenant(this.#sql) === null) return done;
      requireTenant(this.#sql, tenant);
      return work();
    });
  }

  /**
   * Runs a change and appends its audit entry in one storage transaction (none when `record` is
   * undefined: nothing changed). `guard`: `active` for a change only an active tenant's own
   * requests make (`#forActiveTenant`), `tenant` otherwise.
   */
  #audited<T>(
    tenant: string,
    audit: AuditContext,
    change: (now: number) => { value: T; record: AuditRecord | undefined },
    guard: "tenant" | "active" = "tenant",
  ): Promise<Outcome<T>> {
    const guarded = guard === "active" ? this.#forActiveTenant.bind(this) : this.#forTenant.bind(this);
    return guarded(tenant, () =>
      this.ctx.storage.transactionSync(() => {
        const now = Date.now();
        const { value, record } = change(now);
        if (record !== undefined) this.#audit(record, audit, now);
        return value;
      }),
    );
  }

  #audit(record: AuditRecord, audit: AuditContext, now: number): void {
    appendAudit(this.#sql, record, audit, now);
  }

  /**
   * The tenant guard: `work` runs only when this DO was created for `tenant`
   * (`tenant.not_found` otherwise), and its result or `EngineError` comes back as an `Outcome`.
   */
  #forTenant<T>(tenant: string, work: (info: TenantInfo) => T | Promise<T>): Promise<Outcome<T>> {
    return toOutcome(() => work(requireTenant(this.#sql, tenant)));
  }

  /**
   * The guard of every method a tenant's own request (or run) reaches: `#forTenant`, and the tenant
   * is active (`tenant.suspended`; a tenant being deleted is `tenant.not_found`). Admin methods
   * (keys, settings, secrets, services, describe) keep `#forTenant`: the operator manages a
   * suspended tenant.
   */
  #forActiveTenant<T>(tenant: string, work: (info: TenantInfo) => T | Promise<T>): Promise<Outcome<T>> {
    return this.#forTenant(tenant, (info) => {
      requireActive(
        this.#kv,
        tenant,
        () => new EngineError("tenant.not_found", `Tenant "${tenant}" does not exist.`),
      );
      return work(info);
    });
  }

  /** Makes every in-memory helper afresh over this object's storage. */
  #build(): void {
    const storage = this.ctx.storage;
    const env = this.env;
    this.#reservations = new StartReservations();
    this.#startDefinitions = new StartDefinitions(startCacheOn(this.env.EDGEFLOW_RUN_START_CACHE));
    this.#alarm = new TimerAlarm(storage);
    const vault = new SecretVault(storage.sql, env.SECRETS_KEY);
    this.#secrets = vault;
    this.#capabilities = vault;
    this.#circuits = new CircuitStore(storage.kv);
    this.#signInLinks = new SignInLinks(storage.kv);
    this.#services = new TenantServices(storage.sql);
    this.#subscriptions = new SubscriptionRegistry(storage.sql, this.#evaluator);
    const memos = intakeMemosOn(env.EDGEFLOW_INTAKE_MEMOS);
    this.#knownTenant = new KnownTenant(storage.sql, memos);
    this.#metrics = new TenantMetrics(() => storage.sql, { rememberSeries: memos });
    this.#rateLimits = new TenantRateLimits(
      () => storage.sql,
      (surface) => this.#metrics.rateLimited(surface),
    );
    this.#limits = new IntakeLimits(storage, this.#rateLimits);
    this.#admission = new RunAdmission(storage, this.#reservations);
    this.#starter = new RunStarter({
      storage,
      bindings: env,
      reservations: this.#reservations,
      admission: this.#admission,
      // run lifecycle events ride on the index write (tenant/lifecycle-emitter.ts)
      indexRun: (record) => {
        this.#lifecycle.index(record);
      },
      metrics: this.#metrics,
    });
    this.#spans = new SpanExporter({
      settings: () => readSettings(storage.sql),
      secrets: vault,
      allowPrivateEgress: env.EDGEFLOW_ALLOW_PRIVATE_EGRESS === "1",
      armBy: (at) => this.#alarm.ensureBy(at),
      now: () => Date.now(),
    });
    this.#reception = new EventReception({
      storage,
      evaluator: this.#evaluator,
      subscriptions: this.#subscriptions,
      verifier: vault,
      limits: this.#limits,
      rateLimits: this.#rateLimits,
      alarm: this.#alarm,
      starter: this.#starter,
      metrics: this.#metrics,
      deferral: startDeferralOf(env.EDGEFLOW_INTAKE_DEFER_STARTS),
    });
    this.#lifecycle = new LifecycleEmitter({
      storage,
      subscriptions: this.#subscriptions,
      reception: this.#reception,
      alarm: this.#alarm,
    });
  }

  get #kv(): SyncKvStorage {
    return this.ctx.storage.kv;
  }

  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }
}
