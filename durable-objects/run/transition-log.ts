/**
 * @module
 * One JSON log line per run transition (docs/observability.md, "Logs"): tenant, run id, workflow
 * and version, the event that moved the run, its status after, the error code when it failed, and
 * how long the RunDO took over it. Never the state, a step's params or result, or an error message
 * (a message may quote state values): codes only.
 */
import type { RunState } from "../../engine/machine/run-model.ts";
import { writeLogLine } from "../../engine/telemetry/log-record.ts";

export interface TransitionLogEntry {
  tenant: string;
  run: RunState;
  /** `start`, `next`, `complete`, `timers`, `effect`, `cancel`, `update_state` */
  event: string;
  /** when the RunDO began handling the request (ms) */
  startedAt: number;
  now: number;
  requestId?: string | undefined;
}

export function logTransition(entry: TransitionLogEntry): void {
  const { run } = entry;
  writeLogLine(console, run.status === "failed" ? "warn" : "info", {
    event: "run_transition",
    request_id: entry.requestId,
    tenant: entry.tenant,
    run_id: run.id,
    workflow: run.workflow,
    version: run.version,
    transition: entry.event,
    status: run.status,
    code: run.error?.code,
    duration_ms: Math.max(0, entry.now - entry.startedAt),
  });
}
