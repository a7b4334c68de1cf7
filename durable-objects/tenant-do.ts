/**
 * @module
 * TenantDO: one per tenant, the tenant's control plane and single writer of everything
 * tenant-wide: its API key hashes, settings, published workflow versions and run index. A thin
 * class: storage lives in `tenant/*.ts`, workflow logic in `engine/`. Every public method is an
 * RPC entry point and answers an `Outcome`; every tenant-scoped method checks that this DO was
 * created for the tenant the caller names.
 */
import { DurableObject } from "cloudflare:workers";
import type { WorkflowDefinition } from "../engine/dialect/workflow.ts";
import { EngineError } from "../engine/errors.ts";
import { type DurableObjectBindings, newRunId, runStub } from "./bindings.ts";
import { type Outcome, toOutcome, unwrap } from "./outcome.ts";
import type { RunAnswer } from "./run/run-answer.ts";
import { applyMigrations } from "./storage/migrations.ts";
import { TENANT_MIGRATIONS } from "./storage/tenant-schema.ts";
import { insertKey, type KeyInfo, type KeyInput, listKeys, revokeKey, verifyKey } from "./tenant/api-keys.ts";
import { listRuns, type RunIndexEntry, type RunIndexRecord, upsertRun } from "./tenant/run-index.ts";
import { patchSettings, readSettings, type TenantSettings } from "./tenant/settings.ts";
import { insertTenant, readTenant, requireTenant, type TenantInfo } from "./tenant/tenant-record.ts";
import {
  getVersion,
  insertVersion,
  listVersions,
  listWorkflows,
  type NewWorkflowVersion,
  type StoredWorkflow,
  type WorkflowSummary,
} from "./tenant/workflow-store.ts";

const MAX_LISTED_RUNS = 200;

export interface StartRequest {
  workflow: string;
  version?: string;
  inputs: Record<string, unknown>;
}

export class TenantDO extends DurableObject<DurableObjectBindings> {
  constructor(ctx: DurableObjectState, env: DurableObjectBindings) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, TENANT_MIGRATIONS);
    });
  }

  // ── tenants and keys (admin) ────────────────────────────────────────────

  createTenant(id: string, key: KeyInput): Promise<Outcome<{ tenant: TenantInfo; key: KeyInfo }>> {
    return toOutcome(() =>
      this.ctx.storage.transactionSync(() => {
        const now = Date.now();
        const tenant = insertTenant(this.#sql, id, now);
        return { tenant, key: insertKey(this.#sql, key, now) };
      }),
    );
  }

  describeTenant(
    id: string,
  ): Promise<Outcome<{ tenant: TenantInfo; keys: KeyInfo[]; settings: TenantSettings }>> {
    return toOutcome(() => ({
      tenant: requireTenant(this.#sql, id),
      keys: listKeys(this.#sql),
      settings: readSettings(this.#sql),
    }));
  }

  /** Sets the named settings; a `null` value removes one. Answers all settings. */
  updateSettings(id: string, patch: Record<string, unknown>): Promise<Outcome<TenantSettings>> {
    return toOutcome(() => {
      requireTenant(this.#sql, id);
      return this.ctx.storage.transactionSync(() => patchSettings(this.#sql, patch));
    });
  }

  addKey(id: string, key: KeyInput): Promise<Outcome<KeyInfo>> {
    return toOutcome(() => {
      requireTenant(this.#sql, id);
      return insertKey(this.#sql, key, Date.now());
    });
  }

  revokeKey(id: string, keyId: string): Promise<Outcome<KeyInfo>> {
    return toOutcome(() => {
      requireTenant(this.#sql, id);
      return revokeKey(this.#sql, keyId, Date.now());
    });
  }

  /** Checks a presented key (by id and SHA-256 hash). Unknown tenant, key, or revoked: `auth.invalid_key`. */
  authenticate(id: string, keyId: string, hash: string): Promise<Outcome<{ tenant: string }>> {
    return toOutcome(() => {
      const tenant = readTenant(this.#sql);
      const valid = verifyKey(this.#sql, keyId, hash);
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
  ): Promise<Outcome<{ workflow: WorkflowSummary; created: boolean }>> {
    return toOutcome(() => {
      requireTenant(this.#sql, tenant);
      const { created } = insertVersion(this.#sql, version, Date.now());
      const summary = listWorkflows(this.#sql).find((workflow) => workflow.name === version.name)!;
      return { workflow: summary, created };
    });
  }

  getWorkflow(
    tenant: string,
    name: string,
    version?: string,
  ): Promise<Outcome<{ workflow: StoredWorkflow; versions: string[] }>> {
    return toOutcome(() => {
      requireTenant(this.#sql, tenant);
      return { workflow: getVersion(this.#sql, name, version), versions: listVersions(this.#sql, name) };
    });
  }

  listWorkflows(tenant: string): Promise<Outcome<WorkflowSummary[]>> {
    return toOutcome(() => {
      requireTenant(this.#sql, tenant);
      return listWorkflows(this.#sql);
    });
  }

  // ── run index ───────────────────────────────────────────────────────────

  listRuns(tenant: string, options: { activeOnly: boolean }): Promise<Outcome<RunIndexEntry[]>> {
    return toOutcome(() => {
      requireTenant(this.#sql, tenant);
      return listRuns(this.#sql, { activeOnly: options.activeOnly, limit: MAX_LISTED_RUNS });
    });
  }

  /** Starts a run of a published workflow (latest version unless `version` is given). */
  startRun(tenant: string, request: StartRequest): Promise<Outcome<RunAnswer>> {
    return toOutcome(async () => {
      requireTenant(this.#sql, tenant);
      const stored = getVersion(this.#sql, request.workflow, request.version);
      const runId = newRunId();
      const answer = await unwrap(
        runStub(this.env, tenant, runId).start({
          tenant,
          runId,
          definition: stored.definition as WorkflowDefinition,
          inputs: request.inputs,
        }),
      );
      upsertRun(this.#sql, {
        id: runId,
        workflow: stored.name,
        version: stored.version,
        status: answer.run.status,
        createdAt: Date.parse(answer.run.created_at),
        updatedAt: Date.parse(answer.run.updated_at),
      });
      return answer;
    });
  }

  /** Called by a RunDO after each status change of its run. */
  recordRun(tenant: string, record: RunIndexRecord): Promise<Outcome<void>> {
    return toOutcome(() => {
      requireTenant(this.#sql, tenant);
      upsertRun(this.#sql, record);
    });
  }

  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }
}
