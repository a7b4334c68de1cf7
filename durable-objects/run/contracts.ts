/**
 * @module
 * Every shape that crosses the RunDO's RPC boundary: what starts a run, what its methods answer.
 * Callers (the worker, the TenantDO) import these, never the run's storage modules. Types only.
 */
import type { AuditActor } from "../../engine/audit/audit-entry.ts";
import type { WorkflowDefinition } from "../../engine/dialect/workflow.ts";
import type { CriticalPath, TaskStatus } from "../../engine/graph/index.ts";
import type { GraphSummary, RunSnapshot } from "../../engine/machine/index.ts";
import type { NextStep } from "../../engine/machine/run-model.ts";
import type { RunTrace } from "../../engine/telemetry/run-spans.ts";
import type { RunIndexRecord } from "../tenant/contracts.ts";

export interface RunInit {
  tenant: string;
  runId: string;
  definition: WorkflowDefinition;
  inputs: Record<string, unknown>;
  event?: unknown;
  /** work units the run may spend over its life (default `DEFAULT_RUN_WORK_ALLOWANCE`) */
  workAllowance?: number;
  /** who started it, kept in the transition log (default `system`) */
  actor?: RunActor;
  /** the tenant's `max_state_bytes` when below the engine's cap (`RunState.stateLimit`) */
  stateLimit?: number;
  /** set when the tenant is traced (an OTLP endpoint): the run's trace (durable-objects/tenant/trace-settings.ts) */
  trace?: RunTrace;
}

/** Who made a transition: `key:<key id>`, `admin`, `event`, `schedule` or `system` (the run's own alarm). */
export type RunActor = AuditActor;

/** What `purge` did: deleted the run (or found it gone), or kept it because it is still active. */
export type RunPurge = { deleted: true } | { deleted: false; record: RunIndexRecord };

export interface RunAnswer {
  run: RunSnapshot;
  next: NextStep;
}

export type RunStatusView = RunSnapshot & {
  graph?: GraphSummary & { critical_path?: CriticalPath };
};

export interface GraphViewOptions {
  /** most tasks drawn (default 500) */
  maxTasks?: number;
  direction?: "TD" | "LR";
}

export interface GraphView {
  workflow_id: string;
  step_id: string;
  status: "running" | "finished";
  /** task records, `for_each` branches included */
  total: number;
  /** tasks drawn (branches are drawn inside their task; large graphs are cut) */
  shown: number;
  /** tasks left out of the drawing */
  not_shown: number;
  counts: Record<TaskStatus, number>;
  mermaid: string;
}

/** `workflow_run_history` page sizes: entries per page by default, and at most (run/run-history.ts). */
export const HISTORY_PAGE = { default: 100, max: 500 } as const;
