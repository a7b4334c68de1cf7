/**
 * @module
 * A RunDO's tracing (docs/observability.md, "Traces"): the run's trace (`RunInit.trace`, set
 * only when its tenant had an OTLP endpoint when it started) kept under one key of the object's
 * KV storage, the spans each transition finished (engine/telemetry/run-spans.ts) handed to the
 * TenantDO, which buffers and exports them, and the `traceparent` an effect carries. An untraced
 * run reads the key once per instance and then costs nothing: no span, no RPC.
 */
import type { ExecutedServerStep, MachineEvent, RunState } from "../../engine/machine/run-model.ts";
import type { EffectIntent } from "../../engine/plugins/effect.ts";
import { writeLogLine } from "../../engine/telemetry/log-record.ts";
import {
  effectSpanId,
  type RunTrace,
  spansOfServerSteps,
  spansOfStart,
  spansOfTransition,
} from "../../engine/telemetry/run-spans.ts";
import type { RecordedSpan } from "../../engine/telemetry/span.ts";
import { formatTraceparent } from "../../engine/telemetry/traceparent.ts";
import { type DurableObjectBindings, tenantStub } from "../bindings.ts";

const TRACE_KEY = "trace";

function randomSalt(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

export class RunTracing {
  readonly #kv: SyncKvStorage;
  readonly #env: DurableObjectBindings;
  /** `null`: not traced; `undefined`: not read yet */
  #trace: RunTrace | null | undefined;

  constructor(kv: SyncKvStorage, env: DurableObjectBindings) {
    this.#kv = kv;
    this.#env = env;
  }

  /**
   * Keeps the new run's trace (call in the start's storage transaction), with the run's id and a
   * random salt its span ids are derived from: runs continuing one `traceparent` never share one.
   */
  begin(trace: RunTrace | undefined, runId: string): void {
    const kept = trace === undefined ? undefined : { ...trace, runId, salt: randomSalt() };
    if (kept !== undefined) this.#kv.put(TRACE_KEY, kept);
    this.#trace = kept ?? null;
  }

  /** For a traced run, the machine context's `executed` list (its server steps become spans). */
  collector(): { executed?: ExecutedServerStep[] } {
    return this.#current() === undefined ? {} : { executed: [] };
  }

  /** The run's storage was deleted. */
  forget(): void {
    this.#trace = undefined;
  }

  /** `{traceparent}` for an effect of a traced run: its own span, under its step's. */
  traceparentFor(effect: EffectIntent): { traceparent?: string } {
    const trace = this.#current();
    return trace === undefined
      ? {}
      : { traceparent: formatTraceparent(trace.traceId, effectSpanId(trace, effect)) };
  }

  /** Hands the spans a transition finished to the tenant; best effort (a lost span never fails a step). */
  async afterTransition(
    tenant: string,
    before: RunState,
    after: RunState,
    event: MachineEvent,
    now: number,
    executed: readonly ExecutedServerStep[] = [],
  ): Promise<void> {
    const trace = this.#current();
    if (trace === undefined) return;
    const spans = [
      ...spansOfServerSteps(trace, after, executed, after.updatedAt),
      ...spansOfTransition(trace, before, after, event, now),
    ];
    await this.#send(tenant, after.id, spans);
  }

  /** The spans a start finished (the root's, when the run ended at once). */
  async afterStart(
    tenant: string,
    run: RunState,
    now: number,
    executed: readonly ExecutedServerStep[] = [],
  ): Promise<void> {
    const trace = this.#current();
    if (trace === undefined) return;
    await this.#send(tenant, run.id, [
      ...spansOfServerSteps(trace, run, executed, run.updatedAt),
      ...spansOfStart(trace, run, now),
    ]);
  }

  async #send(tenant: string, runId: string, spans: RecordedSpan[]): Promise<void> {
    if (spans.length === 0) return;
    try {
      const outcome = await tenantStub(this.#env, tenant).recordSpans(tenant, spans);
      if (!outcome.ok) throw new Error(outcome.error.code);
    } catch (error) {
      writeLogLine(console, "warn", {
        event: "otlp_spans_lost",
        tenant,
        run_id: runId,
        spans: spans.length,
        code: error instanceof Error ? error.message.slice(0, 64) : "unknown",
      });
    }
  }

  #current(): RunTrace | undefined {
    this.#trace ??= this.#kv.get<RunTrace>(TRACE_KEY) ?? null;
    return this.#trace ?? undefined;
  }
}
