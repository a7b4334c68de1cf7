/**
 * @module
 * RunDO: one per run (named `<tenant>/<run id>`). Holds the run's checkpoint, feeds events to
 * the engine's pure step machine, checkpoints after every transition, keeps one alarm armed for
 * the earliest of `run.timers` and its graph's claim deadlines and, when it fires, feeds
 * `{kind: "timers"}` to the machine. A dependency graph's task records are rows of their own,
 * written (only those a transition changed) in the same transaction as the checkpoint.
 * A run survives eviction: everything it needs is in SQLite. The schema is created by `start`
 * only, so reaching an object that was never started writes nothing; `purge` deletes a finished
 * run's storage for retention. Thin: storage lives in `run/*.ts`,
 * the machine in `engine/machine/`. Every public method is RPC and answers an `Outcome`.
 */
import { DurableObject } from "cloudflare:workers";
import type { WorkflowDefinition } from "../engine/dialect/workflow.ts";
import { EngineError, isEngineError } from "../engine/errors.ts";
import { findTask } from "../engine/graph/index.ts";
import { type RunSnapshot, snapshotRun, startRun, transition } from "../engine/machine/index.ts";
import type { MachineContext, MachineEvent, RunState, Transition } from "../engine/machine/run-model.ts";
import { finishedSteps } from "../engine/metrics/step-observations.ts";
import type { EffectIntent, EffectOutcome } from "../engine/plugins/effect.ts";
import { readPath } from "../engine/state/index.ts";
import { type DurableObjectBindings, tenantStub } from "./bindings.ts";
import { type Outcome, toOutcome } from "./outcome.ts";
import { hasTimers, nextAlarmAt } from "./run/alarm-plan.ts";
import {
  appendTransition,
  insertRun,
  type RunRecord,
  readRunWith,
  saveState,
} from "./run/checkpoint-store.ts";
import type {
  GraphView,
  GraphViewOptions,
  RunActor,
  RunAnswer,
  RunInit,
  RunPurge,
  RunStatusView,
} from "./run/contracts.ts";
import { EffectPump } from "./run/effect-pump.ts";
import { ExternalStateMirror } from "./run/external-state-mirror.ts";
import { GraphCache } from "./run/graph-cache.ts";
import { writeGraphChanges } from "./run/graph-store.ts";
import { graphViewOf, statusOf } from "./run/graph-view.ts";
import { LazyEvaluator } from "./run/lazy-evaluator.ts";
import type { MigrationTarget, RunMigrationAnswer, RunRollbackAnswer } from "./run/migration-contracts.ts";
import { answerOf, indexRecordOf } from "./run/run-answer.ts";
import { type HistoryPageRequest, historyPageOf, type RunHistoryPage } from "./run/run-history.ts";
import { planRunMigration, restorePreviousVersion, writeMigration } from "./run/run-migration.ts";
import { RunTracing } from "./run/run-tracing.ts";
import { encodeStepMetrics, StepMetricsOutbox } from "./run/step-metrics.ts";
import { transitionDetailOf } from "./run/transition-detail.ts";
import { logTransition } from "./run/transition-log.ts";
import { RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH } from "./storage/run-schema.ts";
import { createOrMigrate, schemaAtBirthOn } from "./storage/schema-birth.ts";
import { upgradeIfCreated } from "./storage/schema-migrations.ts";

/** How long before the alarm tries again an effect it could not have performed. */
const EFFECT_RETRY_MS = 2_000;
/**
 * While the tenant is suspended the alarm does nothing and looks again this much later; resuming
 * wakes the tenant's active runs at once (`wake`), so this is only the fallback for a missed wake.
 */
const SUSPENDED_RECHECK_MS = 15 * 60_000;

/** The RunDO's environment: its bindings and the benchmark's switches. */
interface RunEnv extends DurableObjectBindings {
  /** `off`: a new run replays every schema migration instead of its schema at birth (storage/schema-birth.ts) */
  EDGEFLOW_RUN_SCHEMA_AT_BIRTH?: string;
}

export class RunDO extends DurableObject<RunEnv> {
  readonly #evaluator = new LazyEvaluator();
  readonly #graph = new GraphCache();
  /** the alarm time this instance last set (`null`: deleted), `undefined` when not known */
  #alarmAt: number | null | undefined;
  /** the run's definition, parsed once: only a migration (or its rollback) changes it */
  #definition: { id: string; definition: WorkflowDefinition } | undefined;
  /** whether the schema exists: only `start` creates it, so a never-started object stays empty */
  #created = false;
  /** performs `run.effects` from the alarm and feeds their outcomes back (run/effect-pump.ts) */
  readonly #effects: EffectPump;
  /** writes the state to the workflow's `external_state` backend after checkpoints */
  readonly #mirror: ExternalStateMirror;
  /** step durations logged with the transitions, on their way to the tenant's metrics */
  readonly #stepMetrics = new StepMetricsOutbox();
  /** the run's trace, its spans and effects' `traceparent` (run/run-tracing.ts) */
  readonly #tracing: RunTracing;

  constructor(ctx: DurableObjectState, env: RunEnv) {
    super(ctx, env);
    this.#mirror = new ExternalStateMirror(ctx.storage.kv);
    this.#tracing = new RunTracing(ctx.storage.kv, env);
    this.#effects = new EffectPump({
      read: () => this.#read(),
      perform: (record, effect) => this.#perform(record, effect),
      feed: (effect, outcome) => this.#feed(effect, outcome),
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.#created = upgradeIfCreated(ctx.storage, RUN_MIGRATIONS);
      await this.#rearmOutstanding();
    });
  }

  /**
   * Outstanding work whose alarm was lost (it is armed in the checkpoint's turn) is re-armed. A
   * checkpoint that cannot be read is left alone: the RPC that reads it answers `storage.corrupt`.
   */
  async #rearmOutstanding(): Promise<void> {
    let record: RunRecord | null;
    try {
      record = this.#read();
    } catch (error) {
      if (isEngineError(error) && error.code === "storage.corrupt") return;
      throw error;
    }
    if (record === null) return;
    const outstanding = (record.state.effects?.length ?? 0) > 0 || this.#mirror.due(record);
    if (outstanding && (await this.ctx.storage.getAlarm()) === null) await this.#armAlarm(record);
  }

  /** Creates the run: the machine runs server steps up to the first client step or timer. */
  start(init: RunInit): Promise<Outcome<RunAnswer>> {
    return this.#outcome(async () => {
      // a traced run's server steps are collected from its very first transition
      const machine = { ...(await this.#machine()), ...(init.trace === undefined ? {} : { executed: [] }) };
      if (this.#read() !== null) throw new EngineError("run.exists", `Run ${init.runId} already exists.`);
      this.#alarmAt ??= null; // no run was ever stored here, so no alarm was ever set
      const options = {
        id: init.runId,
        inputs: init.inputs,
        ...(init.event === undefined ? {} : { event: init.event }),
        ...(init.workAllowance === undefined ? {} : { workAllowance: init.workAllowance }),
        ...(init.stateLimit === undefined ? {} : { stateLimit: init.stateLimit }),
      };
      const started = startRun(init.definition, options, machine);
      const { run, next } = started;
      const record: RunRecord = {
        id: init.runId,
        tenant: init.tenant,
        workflow: run.workflow,
        version: run.version,
        definition: init.definition,
        state: run,
      };
      // the schema is created with the run's first row: a start the engine refused wrote nothing;
      // a new object is born with the latest schema in one step rather than replaying migrations
      const atBirth = schemaAtBirthOn(this.env.EDGEFLOW_RUN_SCHEMA_AT_BIRTH);
      createOrMigrate(this.ctx.storage, RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH, atBirth);
      this.#created = true;
      this.#write(started, () => {
        insertRun(this.#sql, record);
        this.#tracing.begin(init.trace, init.runId);
        const actor = init.actor ?? "system";
        appendTransition(this.#sql, {
          seq: run.seq,
          event: "start",
          status: run.status,
          at: run.updatedAt,
          actor,
          detail: transitionDetailOf(null, run, { kind: "start" }),
        });
      });
      await this.#armAlarm({ ...record, state: run });
      logTransition({ tenant: init.tenant, run, event: "start", startedAt: machine.now, now: Date.now() });
      await this.#tracing.afterStart(init.tenant, run, Date.now(), machine.executed);
      return answerOf(run, next);
    });
  }

  /**
   * Applies one event (next, complete, update_state, cancel) and checkpoints the result; `actor`
   * (who asked: the caller's key) goes into the transition log.
   */
  apply(
    tenant: string,
    runId: string,
    event: MachineEvent,
    actor: RunActor = "system",
  ): Promise<Outcome<RunAnswer>> {
    return this.#outcome(async () => {
      const machine = await this.#machine();
      const record = this.#load(tenant, runId);
      const result = this.#transition(record, event, machine);
      await this.#checkpoint(record, result, event, actor, machine);
      return answerOf(result.run, result.next);
    });
  }

  /**
   * The view of the run: status, position, state of the main thread and every task and, with a
   * graph, its counts per task status and critical path.
   */
  snapshot(tenant: string, runId: string): Promise<Outcome<RunStatusView>> {
    return this.#outcome(() => {
      const state = this.#load(tenant, runId).state;
      const snapshot: RunSnapshot = snapshotRun(state);
      return statusOf(snapshot, this.#graph.of(this.#sql, state));
    });
  }

  /** The run's dependency graph as Mermaid text, coloured by task status. */
  graph(tenant: string, runId: string, options: GraphViewOptions = {}): Promise<Outcome<GraphView>> {
    return this.#outcome(() => {
      const run = this.#load(tenant, runId).state;
      return graphViewOf(run, this.#graph.of(this.#sql, run), options);
    });
  }

  /** The run's timeline from its transition log, oldest first, one page (`run/run-history.ts`). */
  history(tenant: string, runId: string, page: HistoryPageRequest): Promise<Outcome<RunHistoryPage>> {
    return this.#outcome(() => historyPageOf(this.#sql, this.#load(tenant, runId), page));
  }

  /** Values at state paths (`this.x`, `inputs.y`, `global.z`) of the main thread or one task. */
  readState(
    tenant: string,
    runId: string,
    paths: string[],
    taskId?: string,
  ): Promise<Outcome<Record<string, unknown>>> {
    return this.#outcome(() => {
      const run = this.#load(tenant, runId).state;
      const thread =
        taskId === undefined || this.#isGraphTask(run, taskId)
          ? run.main
          : Object.hasOwn(run.tasks, taskId)
            ? run.tasks[taskId]
            : undefined;
      if (thread === undefined)
        throw new EngineError("run.task_not_found", `Run ${runId} has no task "${taskId}".`);
      return Object.fromEntries(paths.map((path) => [path, readPath(thread.state, {}, path)]));
    });
  }

  /**
   * Moves the run to another version of its workflow (run/run-migration.ts). A dry run answers
   * the plan and writes nothing; applied, the new version, definition and checkpoint, the kept
   * copy of the old ones and a `migrate` transition are one storage transaction.
   */
  migrate(
    tenant: string,
    runId: string,
    target: MigrationTarget,
    dryRun: boolean,
    actor: RunActor = "system",
  ): Promise<Outcome<RunMigrationAnswer>> {
    return this.#outcome(async () => {
      const machine = await this.#machine();
      const record = this.#load(tenant, runId);
      const { answer, run } = planRunMigration(record, target, machine, dryRun);
      if (dryRun || run === undefined) return answer;
      this.ctx.storage.transactionSync(() => writeMigration(this.#sql, record, target, run, actor));
      this.#definition = { id: record.id, definition: target.definition };
      await this.#afterVersionChange({ ...record, ...target, state: run });
      return { ...answer, migrated: true };
    });
  }

  /** Puts back, byte for byte, the version, definition, checkpoint and graph rows of the last migration. */
  rollbackMigration(
    tenant: string,
    runId: string,
    actor: RunActor = "system",
  ): Promise<Outcome<RunRollbackAnswer>> {
    return this.#outcome(async () => {
      const record = this.#load(tenant, runId);
      const restored = this.ctx.storage.transactionSync(() =>
        restorePreviousVersion(this.#sql, record, actor, Date.now()),
      );
      this.#definition = undefined;
      this.#graph.drop();
      const back = this.#load(tenant, runId);
      await this.#afterVersionChange(back);
      const { id: workflow_id, workflow } = record;
      return {
        workflow_id,
        workflow,
        from_version: record.version,
        restored_version: restored,
        run: snapshotRun(back.state),
      };
    });
  }

  /** After a migration or rollback: timers may differ, and the tenant's index shows the version. */
  async #afterVersionChange(record: RunRecord): Promise<void> {
    this.#graph.drop();
    this.#alarmAt = undefined;
    await this.#armAlarm(record);
    // a rollback restores an older updated_at: the index row is refreshed as of now
    const reported = {
      ...indexRecordOf(record.state),
      updatedAt: Math.max(Date.now(), record.state.updatedAt),
    };
    await this.#reportStatus(record.tenant, record.state, reported);
  }

  /**
   * Deletes a finished run: its alarm, then all its storage (retention and the stored-runs cap,
   * docs/runtime.md). Idempotent: a run already gone answers `deleted: true` again, so the
   * TenantDO can retry after a crash and drop its index row only once this has answered. An
   * active run is kept, and answered with its index record, so a stale index can be corrected.
   */
  purge(tenant: string, runId: string): Promise<Outcome<RunPurge>> {
    return this.#outcome(async () => {
      if (this.#read() === null) return { deleted: true };
      const { state } = this.#load(tenant, runId);
      if (state.status === "running" || state.status === "waiting")
        return { deleted: false, record: indexRecordOf(state) };
      await this.#forget();
      return { deleted: true };
    });
  }

  /** Deletes the alarm and all storage, and drops what this object remembers of the run. */
  async #forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#created = false;
    this.#alarmAt = null;
    this.#definition = undefined;
    this.#graph.drop();
    this.#tracing.forget();
  }

  /**
   * Deletes the run whatever its status: its alarm, then all its storage (`DELETE
   * /admin/tenants/:id`, durable-objects/tenant/tenant-erasure.ts). Idempotent: a run already
   * gone, or never started, answers `erased: true` and writes nothing. A checkpoint that does not
   * parse (`storage.corrupt`) is erased too: this object's name already binds it to the tenant.
   */
  erase(tenant: string, runId: string): Promise<Outcome<{ erased: true }>> {
    return this.#outcome(async () => {
      if (this.#readUnlessCorrupt() !== null) this.#load(tenant, runId);
      await this.#forget();
      return { erased: true as const };
    });
  }

  /**
   * Called for each active run when its tenant is resumed: the alarm that found the tenant
   * suspended is brought forward to now, so the run continues at once. A finished or never
   * started run, or one with no alarm armed, is left alone.
   */
  wake(tenant: string, runId: string): Promise<Outcome<{ woken: boolean }>> {
    return this.#outcome(async () => {
      if (this.#read() === null) return { woken: false };
      this.#load(tenant, runId);
      const armed = await this.ctx.storage.getAlarm();
      if (armed === null) return { woken: false };
      this.#alarmAt = undefined;
      await this.ctx.storage.setAlarm(Date.now());
      return { woken: true };
    });
  }

  /**
   * Performs outstanding effects and the external-state write, then feeds `{kind: "timers"}` to
   * the machine if the run has timers (it fires those due). Work that
   * could not be done now (the TenantDO unreachable) is tried again `EFFECT_RETRY_MS` later.
   * While the tenant is suspended (or being deleted) nothing advances: the alarm looks again
   * `SUSPENDED_RECHECK_MS` later, and resuming wakes the run.
   */
  override async alarm(): Promise<void> {
    if (!this.#created) return;
    this.#alarmAt = undefined;
    if (!(await this.#tenantAllowsWork())) return;
    const performed = await this.#effects.pump();
    await this.#writeExternalState();
    const machine = await this.#machine();
    const record = this.#read();
    if (record === null) return;
    try {
      if (hasTimers(record.state, this.#graph.of(this.#sql, record.state))) {
        const event: MachineEvent = { kind: "timers" };
        const result = this.#transition(record, event, machine);
        await this.#checkpoint(record, result, event, "system", machine);
      }
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      console.error(`run ${record.id}: timers failed`, error.toJSON());
    }
    if (!performed) await this.#retryAlarm();
    else {
      // effects performed while this alarm ran may have armed and cleared the alarm in turn
      const latest = this.#read();
      this.#alarmAt = undefined;
      if (latest !== null) await this.#armAlarm(latest);
    }
  }

  /**
   * Asks the TenantDO (the authority) whether the run's tenant is active. When it is not, or
   * cannot say, the alarm is put off: `SUSPENDED_RECHECK_MS` for a tenant that is not active,
   * `EFFECT_RETRY_MS` for one that could not be asked.
   */
  async #tenantAllowsWork(): Promise<boolean> {
    const record = this.#read();
    if (record === null) return false;
    let active: boolean;
    try {
      const outcome = await tenantStub(this.env, record.tenant).acceptsRunWork(record.tenant);
      // a tenant that no longer exists: nothing will resume this run, so nothing is re-armed
      if (!outcome.ok) return false;
      active = outcome.value;
    } catch (error) {
      console.error(`run ${record.id}: tenant not reached, will retry`, String(error));
      await this.#retryAlarm();
      return false;
    }
    if (active) return true;
    const at = Date.now() + SUSPENDED_RECHECK_MS;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
    return false;
  }

  /** The TenantDO performs an effect: it holds the secrets the call may need. */
  async #perform(record: RunRecord, effect: EffectIntent): Promise<EffectOutcome> {
    const request = {
      runId: record.id,
      workflow: record.workflow,
      version: record.version,
      effect,
      ...this.#tracing.traceparentFor(effect),
    };
    const outcome = await tenantStub(this.env, record.tenant).performEffect(record.tenant, request);
    if (!outcome.ok) throw new EngineError(outcome.error.code, outcome.error.message);
    return outcome.value;
  }

  /** An effect's outcome as an `effect` event, from the checkpoint as it is now. */
  async #feed(effect: EffectIntent, outcome: EffectOutcome): Promise<void> {
    const machine = await this.#machine();
    const record = this.#read();
    if (record === null || !record.state.effects?.some((pending) => pending.id === effect.id)) return;
    const event: MachineEvent = { kind: "effect", effectId: effect.id, outcome };
    const result = this.#transition(record, event, machine);
    await this.#checkpoint(record, result, event, "system", machine);
  }

  /** Writes the run's state to its `external_state` backend when the backend's copy is older. */
  async #writeExternalState(): Promise<void> {
    const record = this.#read();
    const effect = record === null ? undefined : this.#mirror.effectFor(record);
    if (record === null || effect === undefined) return;
    this.#mirror.begin();
    let ok = false;
    try {
      const outcome = await this.#perform(record, effect);
      ok = outcome.ok;
      if (!outcome.ok)
        console.error(`run ${record.id}: external_state not written`, outcome.code, outcome.message);
    } catch (error) {
      console.error(`run ${record.id}: external_state not written`, String(error));
    } finally {
      this.#mirror.end(record.state.seq, ok);
    }
  }

  async #retryAlarm(): Promise<void> {
    const at = Date.now() + EFFECT_RETRY_MS;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** `toOutcome`: a run holds no secret, so nothing in an answer or error can quote one. */
  #outcome<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
    return toOutcome(work);
  }

  /**
   * One transition with the run's graph. If it throws, the graph may be ahead of the checkpoint:
   * it is dropped, to be restored from its rows. Records that do not match the checkpoint
   * (`run.graph_mismatch`) are restored and the transition tried once more.
   */
  #transition(record: RunRecord, event: MachineEvent, machine: MachineContext): Transition {
    const { definition } = record;
    for (let attempt = 1; ; attempt += 1) {
      const graph = this.#graph.of(this.#sql, record.state);
      try {
        return transition(
          definition,
          record.state,
          event,
          graph === undefined ? machine : { ...machine, graph },
        );
      } catch (error) {
        this.#graph.drop();
        if (attempt > 1 || !(error instanceof EngineError) || error.code !== "run.graph_mismatch")
          throw error;
      }
    }
  }

  async #checkpoint(
    record: RunRecord,
    result: Transition,
    event: MachineEvent,
    actor: RunActor,
    machine: MachineContext,
  ): Promise<void> {
    const { run } = result;
    if (run.seq === record.state.seq) return;
    const finished = finishedSteps(record.state, run);
    this.#write(result, () => {
      saveState(this.#sql, run, record.definition);
      appendTransition(
        this.#sql,
        {
          seq: run.seq,
          event: event.kind,
          status: run.status,
          at: run.updatedAt,
          actor,
          detail: transitionDetailOf(record.state, run, event),
        },
        encodeStepMetrics(finished),
      );
    });
    this.#stepMetrics.noteFinished(finished.length, run.updatedAt);
    await this.#armAlarm({ ...record, state: run });
    if (run.status !== record.state.status) await this.#reportStatus(record.tenant, run);
    else if (this.#stepMetrics.due(run.updatedAt)) await this.#flushStepMetrics(record.tenant, run);
    logTransition({
      tenant: record.tenant,
      run,
      event: event.kind,
      startedAt: run.updatedAt,
      now: Date.now(),
    });
    await this.#tracing.afterTransition(
      record.tenant,
      record.state,
      run,
      event,
      Date.now(),
      machine.executed,
    );
  }

  /** Best effort, like the status report: the steps stay logged here and go with the next batch. */
  async #flushStepMetrics(tenant: string, run: RunState): Promise<void> {
    const batch = this.#stepMetrics.batch(this.#sql, run.seq);
    if (batch === undefined) return;
    try {
      const outcome = await tenantStub(this.env, tenant).recordStepMetrics(tenant, run.id, batch);
      if (outcome.ok) this.#stepMetrics.acknowledged(outcome.value);
    } catch (error) {
      console.error(`run ${run.id}: step metrics not sent`, String(error));
    }
  }

  /** Best effort: the run's own checkpoint is the truth; the tenant's index is a view of it. */
  async #reportStatus(tenant: string, run: RunState, record = indexRecordOf(run)): Promise<void> {
    try {
      const steps = this.#stepMetrics.batch(this.#sql, run.seq);
      const outcome = await tenantStub(this.env, tenant).recordRun(tenant, record, steps);
      if (!outcome.ok) console.error(`run ${run.id}: run index not updated`, outcome.error);
      else this.#stepMetrics.acknowledged(outcome.value);
    } catch (error) {
      console.error(`run ${run.id}: run index not updated`, error);
    }
  }

  /** Writes a checkpoint and the transition's graph rows in one storage transaction. */
  #write(result: Transition, checkpoint: () => void): void {
    try {
      this.ctx.storage.transactionSync(() => {
        checkpoint();
        if (result.graph !== undefined) writeGraphChanges(this.#sql, result.graph);
      });
    } catch (error) {
      this.#graph.drop();
      throw error;
    }
    this.#graph.keep(result.graph);
  }

  #isGraphTask(run: RunState, taskId: string): boolean {
    const graph = this.#graph.of(this.#sql, run);
    return graph !== undefined && findTask(graph, taskId) !== undefined;
  }

  /**
   * Sets the alarm for the run's earliest timer, or deletes it. Skipped when this instance set
   * the same time already (most transitions change no timer), so a step costs no alarm write.
   * `#alarmAt` is only what this instance did: `undefined` (unknown) when it starts and after an
   * alarm fired, so the first transition after either always writes.
   */
  async #armAlarm(record: RunRecord): Promise<void> {
    const run = record.state;
    const mirrorAt = this.#mirror.due(record) ? run.updatedAt : undefined;
    const at = nextAlarmAt(run, this.#graph.of(this.#sql, run), mirrorAt);
    if (at === this.#alarmAt) return;
    // noted before the await: storage operations run in the order they are issued
    this.#alarmAt = at;
    try {
      if (at === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
    } catch (error) {
      this.#alarmAt = undefined;
      throw error;
    }
  }

  #load(tenant: string, runId: string): RunRecord {
    const record = this.#read();
    if (record === null || record.tenant !== tenant || record.id !== runId) {
      throw new EngineError(
        "run.not_found",
        `No run "${runId}" for this tenant; workflow_list_active lists the runs still going.`,
        { path: "workflow_id" },
      );
    }
    return record;
  }

  /**
   * The context for one transition. Callers take it before reading the checkpoint, so that
   * read → transition → write runs with no `await` in between and no other request can slip in
   * and transition from the same checkpoint (creating the sandbox the first time does await).
   */
  async #machine(): Promise<MachineContext> {
    const now = Date.now();
    return { now, evaluator: await this.#evaluator.get(), ...this.#tracing.collector() };
  }

  /** `#read`, with a checkpoint that does not parse taken as no run (for `erase` only). */
  #readUnlessCorrupt(): RunRecord | null {
    try {
      return this.#read();
    } catch (error) {
      if (isEngineError(error) && error.code === "storage.corrupt") return null;
      throw error;
    }
  }

  #read(): RunRecord | null {
    if (!this.#created) return null;
    const record = readRunWith(this.#sql, this.#definition);
    if (record !== null) this.#definition = { id: record.id, definition: record.definition };
    return record;
  }

  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }
}
