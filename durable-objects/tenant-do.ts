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
 */

import { DurableObject } from "cloudflare:workers";
import { canonicalJson } from "../engine/audit/canonical-json.ts";
import { EngineError } from "../engine/errors.ts";
import { triggerProblems } from "../engine/events/index.ts";
import type { EffectOutcome } from "../engine/plugins/effect.ts";
import { withoutResolved } from "../engine/plugins/published.ts";
import { checkInputs } from "../engine/state/index.ts";
import { type DurableObjectBindings, newRunId, runStub } from "./bindings.ts";
import { type Outcome, toOutcome, unwrap } from "./outcome.ts";
import type { RunAnswer } from "./run/contracts.ts";
import { LazyEvaluator } from "./run/lazy-evaluator.ts";
import { applyMigrations, upgradeIfCreated } from "./storage/schema-migrations.ts";
import { TENANT_MIGRATIONS } from "./storage/tenant-schema.ts";
import { insertKey, listKeys, revokeKey, verifyKey } from "./tenant/api-keys.ts";
import { appendAudit, auditPage } from "./tenant/audit-log.ts";
import { CircuitStore } from "./tenant/circuit-store.ts";
import {
  type AuditContext,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type CircuitView,
  type EffectRequest,
  type EventPage,
  type EventQuery,
  type EventReceipt,
  type KeyInfo,
  type KeyInput,
  type NewSubscription,
  type NewTenantService,
  type NewWorkflowVersion,
  type PostedEvent,
  type RunIndexEntry,
  type RunIndexRecord,
  type ScheduleRecord,
  type SecretInfo,
  type StartRequest,
  type StoredSubscription,
  type StoredWorkflow,
  type TenantInfo,
  type TenantService,
  type TenantSettings,
  unknownEndpoint,
  type WebhookDelivery,
  type WorkflowSummary,
} from "./tenant/contracts.ts";
import { runDueTimers } from "./tenant/due-timers.ts";
import { runEffect } from "./tenant/effect-runner.ts";
import { queryEventPage } from "./tenant/event-pages.ts";
import { EventReception } from "./tenant/event-reception.ts";
import { IntakeLimits } from "./tenant/intake-limits.ts";
import { hasPendingStart } from "./tenant/pending-starts.ts";
import { pluginBindingsOf } from "./tenant/plugin-bindings.ts";
import { findPlugin } from "./tenant/plugin-registry.ts";
import { insertTenant, readTenant, requireTenant } from "./tenant/registration.ts";
import { hasRun, listRuns, resetRunExpiries, upsertRun } from "./tenant/run-index.ts";
import { checkSettingsPatch, runLimitsOf } from "./tenant/run-limits.ts";
import { deleteExpiredRuns, makeRoomForRun, StartReservations } from "./tenant/run-retention.ts";
import { RunStarter } from "./tenant/run-starter.ts";
import { type CapabilityResolver, type SecretKeeping, SecretVault } from "./tenant/secret-vault.ts";
import { TenantServices } from "./tenant/service-lookup.ts";
import { deleteServiceRow, listServiceRows, upsertService } from "./tenant/service-store.ts";
import { patchSettings, readSettings } from "./tenant/settings.ts";
import { SubscriptionRegistry } from "./tenant/subscription-registry.ts";
import { TimerAlarm } from "./tenant/timer-alarm.ts";
import { getVersion, insertVersion, listVersions, listWorkflows } from "./tenant/workflow-store.ts";

const MAX_LISTED_RUNS = 200;

/** Who a change is recorded as when the caller names no one (direct RPC from tests and tools of ours). */
const SYSTEM: AuditContext = { actor: "system" };

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
}

export class TenantDO extends DurableObject<TenantEnv> {
  /** one expression sandbox per TenantDO (trigger filters, mappings), never shared across tenants */
  readonly #evaluator = new LazyEvaluator();
  readonly #alarm: TimerAlarm;
  /** set, delete, list by name; the vault itself goes to intake only as its `WebhookVerifier` */
  readonly #secrets: SecretKeeping;
  readonly #subscriptions: SubscriptionRegistry;
  readonly #limits: IntakeLimits;
  /** starts in flight under the stored-runs cap, shared by event starts and `workflow_start` */
  readonly #reservations = new StartReservations();
  readonly #starter: RunStarter;
  readonly #reception: EventReception;
  readonly #capabilities: CapabilityResolver;
  readonly #circuits: CircuitStore;
  /** the service an effect names: the workflow version's own, else the tenant's registered one */
  readonly #services: TenantServices;

  constructor(ctx: DurableObjectState, env: TenantEnv) {
    super(ctx, env);
    const storage = ctx.storage;
    this.#alarm = new TimerAlarm(storage);
    const vault = new SecretVault(storage.sql, env.SECRETS_KEY);
    this.#secrets = vault;
    this.#capabilities = vault;
    this.#circuits = new CircuitStore(storage.kv);
    this.#services = new TenantServices(storage.sql);
    this.#subscriptions = new SubscriptionRegistry(storage.sql, this.#evaluator);
    this.#limits = new IntakeLimits(storage);
    this.#starter = new RunStarter({ storage, bindings: env, reservations: this.#reservations });
    this.#reception = new EventReception({
      storage,
      evaluator: this.#evaluator,
      subscriptions: this.#subscriptions,
      verifier: vault,
      limits: this.#limits,
      alarm: this.#alarm,
      starter: this.#starter,
    });
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
  ): Promise<Outcome<{ tenant: TenantInfo; keys: KeyInfo[]; settings: TenantSettings }>> {
    return this.#forTenant(id, (tenant) => ({
      tenant,
      keys: listKeys(this.#sql),
      settings: readSettings(this.#sql),
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
      if (Object.hasOwn(patch, "run_retention_days")) await this.#alarm.rearm();
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

  /** Checks a presented key (by id and SHA-256 hash). Unknown tenant, key, or revoked: `auth.invalid_key`. */
  authenticate(id: string, keyId: string, hash: string): Promise<Outcome<{ tenant: string }>> {
    return toOutcome(() => {
      const tenant = readTenant(this.#sql);
      const valid = tenant !== null && verifyKey(this.#sql, keyId, hash);
      if (tenant === null || tenant.id !== id || !valid) {
        throw new EngineError("auth.invalid_key", "The API key is not valid (unknown or revoked).");
      }
      return { tenant: tenant.id };
    });
  }

  // ── workflow definitions ────────────────────────────────────────────────

  publishWorkflow(
    tenant: string,
    version: NewWorkflowVersion,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ workflow: WorkflowSummary; created: boolean }>> {
    return this.#forTenant(tenant, async () => {
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
      const { created } = this.ctx.storage.transactionSync(() => {
        const inserted = insertVersion(this.#sql, version, now);
        if (inserted.created) {
          this.#subscriptions.registerTriggers(definition, now);
          const object = { type: "workflow", id: `${version.name}@${version.version}` };
          this.#audit({ action: "workflow.publish", object, hashed: { yaml: version.yaml } }, audit, now);
        }
        return inserted;
      });
      if (created) {
        // After the publish has committed: drop caches and re-arm for the schedules.
        this.#subscriptions.invalidate();
        this.#starter.invalidate();
        await this.#alarm.rearm();
      }
      const summary = listWorkflows(this.#sql).find((workflow) => workflow.name === version.name)!;
      return { workflow: summary, created };
    });
  }

  getWorkflow(
    tenant: string,
    name: string,
    version?: string,
  ): Promise<Outcome<{ workflow: StoredWorkflow; versions: string[] }>> {
    return this.#forTenant(tenant, () => ({
      workflow: getVersion(this.#sql, name, version),
      versions: listVersions(this.#sql, name),
    }));
  }

  listWorkflows(tenant: string): Promise<Outcome<WorkflowSummary[]>> {
    return this.#forTenant(tenant, () => listWorkflows(this.#sql));
  }

  // ── run index ───────────────────────────────────────────────────────────

  listRuns(tenant: string, options: { activeOnly: boolean }): Promise<Outcome<RunIndexEntry[]>> {
    return this.#forTenant(tenant, () =>
      listRuns(this.#sql, { activeOnly: options.activeOnly, limit: MAX_LISTED_RUNS }),
    );
  }

  /**
   * Whether the run exists for this tenant (in the run index, or being started from an event): a
   * tool reaches a RunDO only after this answers, so a made-up run id never creates one.
   */
  requireRun(tenant: string, runId: string): Promise<Outcome<void>> {
    return this.#forTenant(tenant, () => {
      if (!hasRun(this.#sql, runId) && !hasPendingStart(this.#sql, runId)) {
        throw new EngineError(
          "run.not_found",
          `No run "${runId}" for this tenant; workflow_list_active lists the runs still going.`,
          { path: "workflow_id" },
        );
      }
    });
  }

  /** Starts a run of a published workflow (latest version unless `version` is given); `audit.actor` is logged as its starter. */
  startRun(tenant: string, request: StartRequest, audit: AuditContext = SYSTEM): Promise<Outcome<RunAnswer>> {
    return this.#forTenant(tenant, async () => {
      const stored = getVersion(this.#sql, request.workflow, request.version);
      // refused here, bad inputs never reach (and so never create) a RunDO
      checkInputs(stored.definition, request.inputs);
      const runId = newRunId();
      const reservations = this.#reservations;
      await makeRoomForRun(this.#sql, this.env, tenant, reservations, runId);
      try {
        const answer = await unwrap(
          runStub(this.env, tenant, runId).start({
            tenant,
            runId,
            // the run keeps the dialect's definition; its pinned services stay here (service-lookup.ts)
            definition: withoutResolved(stored.definition),
            inputs: request.inputs,
            actor: audit.actor,
          }),
        );
        this.#indexRun({
          id: runId,
          workflow: stored.name,
          version: stored.version,
          status: answer.run.status,
          createdAt: Date.parse(answer.run.created_at),
          updatedAt: Date.parse(answer.run.updated_at),
        });
        return answer;
      } finally {
        reservations.release(runId);
      }
    });
  }

  /** Called by a RunDO after each status change of its run. */
  recordRun(tenant: string, record: RunIndexRecord): Promise<Outcome<void>> {
    return this.#forTenant(tenant, () => this.#indexRun(record));
  }

  /** Writes a run's index row; a finished run's expiry is a tenant timer, so the alarm is armed for it. */
  #indexRun(record: RunIndexRecord): void {
    const expiresAt = upsertRun(this.#sql, record);
    if (expiresAt !== null) this.#alarm.ensureBy(expiresAt);
  }

  // ── events: webhooks, posted events, subscriptions, the event log ───────

  /** A webhook delivery from `POST /hooks/:tenant/*` (unauthenticated: the signature decides). */
  receiveWebhook(tenant: string, delivery: WebhookDelivery): Promise<Outcome<EventReceipt>> {
    return toOutcome(() => {
      const stored = readTenant(this.#sql);
      if (stored === null || stored.id !== tenant) {
        throw unknownEndpoint();
      }
      return this.#reception.receiveWebhook(tenant, delivery);
    });
  }

  /** A custom or file_change event from `POST /events` (tenant key). */
  receiveEvent(tenant: string, event: PostedEvent): Promise<Outcome<EventReceipt>> {
    return this.#forTenant(tenant, () => this.#reception.receiveEvent(tenant, event));
  }

  /** Several events at once (`POST /events` with `{events: [...]}`, the R2 queue consumer): one commit. */
  receiveEvents(tenant: string, events: PostedEvent[]): Promise<Outcome<EventReceipt[]>> {
    return this.#forTenant(tenant, () => this.#reception.receiveEvents(tenant, events));
  }

  subscribe(
    tenant: string,
    request: NewSubscription,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<StoredSubscription>> {
    return this.#forTenant(tenant, () => {
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
    return this.#audited(tenant, audit, () => ({
      value: this.#subscriptions.unsubscribe(id),
      record: { action: "subscription.delete", object: { type: "subscription", id } },
    }));
  }

  listSubscriptions(
    tenant: string,
    workflow?: string,
  ): Promise<Outcome<{ subscriptions: StoredSubscription[]; schedules: ScheduleRecord[] }>> {
    return this.#forTenant(tenant, () => this.#subscriptions.list(workflow));
  }

  /** One page of the event log: bounded by `query.limit` and by bytes (`event-pages.ts`). */
  listEvents(tenant: string, query: EventQuery): Promise<Outcome<EventPage>> {
    return this.#forTenant(tenant, () => queryEventPage(this.#sql, query));
  }

  // ── tenant services (resolved by the worker against the plugin catalog) ──

  /** Registers (or replaces) a service for all the tenant's workflows; its exact version is pinned. */
  registerService(
    tenant: string,
    service: NewTenantService,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ service: TenantService; created: boolean }>> {
    return this.#audited(tenant, audit, (now) => ({
      value: upsertService(this.#sql, service, now),
      record: {
        action: "service.register",
        object: { type: "service", id: service.name },
        hashed: { service },
      },
    }));
  }

  listServices(tenant: string): Promise<Outcome<TenantService[]>> {
    return this.#forTenant(tenant, () => listServiceRows(this.#sql));
  }

  deleteService(
    tenant: string,
    name: string,
    audit: AuditContext = SYSTEM,
  ): Promise<Outcome<{ name: string; deleted: true }>> {
    return this.#audited(tenant, audit, () => {
      deleteServiceRow(this.#sql, name);
      return {
        value: { name, deleted: true as const },
        record: { action: "service.delete", object: { type: "service", id: name } },
      };
    });
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
    return this.#forTenant(tenant, () =>
      runEffect(tenant, request, {
        services: this.#services,
        plugins: findPlugin,
        secrets: this.#capabilities,
        circuits: this.#circuits,
        bindings: pluginBindingsOf(this.env),
        allowPrivateEgress: this.env.EDGEFLOW_ALLOW_PRIVATE_EGRESS === "1",
        now: () => Date.now(),
      }),
    );
  }

  /** The tenant's circuit breakers, one per service that was called (`service_circuits`). */
  listCircuits(tenant: string): Promise<Outcome<CircuitView[]>> {
    return this.#forTenant(tenant, () => this.#circuits.list(Date.now()));
  }

  /** Deletes expired runs, fires due schedules, re-drives pending starts, prunes old rows, re-arms. */
  override async alarm(): Promise<void> {
    const tenant = readTenant(this.#sql);
    if (tenant === null) return;
    await deleteExpiredRuns(this.#sql, this.env, tenant.id, Date.now());
    await runDueTimers(
      {
        storage: this.ctx.storage,
        evaluator: this.#evaluator,
        subscriptions: this.#subscriptions,
        limits: this.#limits,
        alarm: this.#alarm,
        starter: this.#starter,
      },
      tenant.id,
      Date.now(),
    );
  }

  /** Runs a change and appends its audit entry in one storage transaction (none when `record` is undefined: nothing changed). */
  #audited<T>(
    tenant: string,
    audit: AuditContext,
    change: (now: number) => { value: T; record: AuditRecord | undefined },
  ): Promise<Outcome<T>> {
    return this.#forTenant(tenant, () =>
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

  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }
}
