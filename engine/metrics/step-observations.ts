/**
 * @module
 * Which steps a transition finished, and how long each took: every client or effect step that was
 * pending (handed out) before the transition and is not after it, in any thread (main, sub-agent
 * tasks, dependency-graph tasks), lasted from its `issuedAt` to the transition's `updatedAt`. A
 * step handed out again (a new attempt) counts its earlier attempt as finished. Pure.
 */
import type { PendingStep, RunState, Thread } from "../machine/run-model.ts";

export interface StepObservation {
  /** the step's type (`mcp_call`, `external_call`, `user_message`, ...) */
  type: string;
  seconds: number;
}

function threadsOf(run: RunState): Thread[] {
  return [run.main, ...Object.values(run.tasks), ...Object.values(run.graph?.threads ?? {})];
}

function pendingKeys(run: RunState): Map<string, PendingStep> {
  const keys = new Map<string, PendingStep>();
  for (const thread of threadsOf(run)) {
    for (const step of thread.pending)
      keys.set(`${thread.id}\u0000${step.id}\u0000${step.attempt}\u0000${step.issuedAt}`, step);
  }
  return keys;
}

export function finishedSteps(before: RunState | undefined, after: RunState): StepObservation[] {
  if (before === undefined) return [];
  const remaining = pendingKeys(after);
  const finished: StepObservation[] = [];
  for (const [key, step] of pendingKeys(before)) {
    if (remaining.has(key)) continue;
    finished.push({ type: step.type, seconds: Math.max(0, after.updatedAt - step.issuedAt) / 1000 });
  }
  return finished;
}

/**
 * What a RunDO sends the TenantDO: the steps finished in its transitions up to `throughSeq`, each
 * `[transition seq, step type, seconds]`. The TenantDO counts those past its mark for the run once.
 */
export interface StepMetricsBatch {
  throughSeq: number;
  steps: [number, string, number][];
}
