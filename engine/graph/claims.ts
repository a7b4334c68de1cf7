/**
 * @module
 * Claims that end without a completion. An agent may give a task back (`releaseTask`); a claim
 * past its deadline (`timeout_seconds` after it was handed out) is taken back by `expireClaims`
 * and the task handed out again, up to `maxExpirations` times, after which it fails with
 * `graph.claim_expired` (no retries: the retries count failures reported by the task).
 * The RunDO arms its alarm for `nextDeadline`. A caller that hands a claimed task's work on (the
 * step machine gives it to an agent only when one asks) restarts the clock with `renewClaim`, and
 * stops it with `holdClaim` while the task waits for someone to ask.
 */
import { EngineError } from "../errors.ts";
import { drain } from "./dependents.ts";
import type { GraphHooks } from "./hooks.ts";
import { changedRecords, finishTask, markReady, startPropagation, unclaim } from "./propagation.ts";
import { DEFAULT_MAX_EXPIRATIONS } from "./quotas.ts";
import { derived, type GraphRunState, type TaskRecord } from "./run-state.ts";
import { claimedTask } from "./scheduler.ts";

export interface ReleaseOptions {
  attempt?: number;
}

/** Gives a claimed task back: it is ready again, for anyone. */
export function releaseTask(
  state: GraphRunState,
  id: string,
  options: ReleaseOptions = {},
): { changed: TaskRecord[] } {
  const task = claimedTask(state, id, options.attempt);
  const p = startPropagation(state, { evaluateCondition: unexpectedEvaluation }, 0);
  unclaim(p, task);
  markReady(p, task);
  return { changed: changedRecords(p) };
}

export interface ExpireOptions {
  now: number;
  hooks: GraphHooks;
  /** expirations after which a task fails (default 3) */
  maxExpirations?: number;
}

export interface ExpireResult {
  /** tasks whose claim expired: ready again, or failed with graph.claim_expired */
  expired: TaskRecord[];
  changed: TaskRecord[];
}

/** Takes back every claim whose deadline is at or before `now`. O(claimed tasks). */
export function expireClaims(state: GraphRunState, options: ExpireOptions): ExpireResult {
  const maxExpirations = options.maxExpirations ?? DEFAULT_MAX_EXPIRATIONS;
  if (!Number.isInteger(maxExpirations) || maxExpirations < 0) {
    throw new EngineError(
      "graph.bad_limit",
      `maxExpirations must be a whole number ≥ 0, got ${maxExpirations}`,
    );
  }
  const p = startPropagation(state, options.hooks, options.now);
  const expired: TaskRecord[] = [];
  for (const index of [...p.index.claimed].sort((a, b) => a - b)) {
    const task = state.tasks[index]!;
    if (task.deadline === undefined || task.deadline > options.now) continue;
    unclaim(p, task);
    task.expirations += 1;
    expired.push(task);
    if (task.expirations > maxExpirations) {
      task.error = {
        code: "graph.claim_expired",
        message: `task "${task.id}" was claimed ${task.expirations} times and never completed in time`,
      };
      finishTask(p, task, "failed");
    } else {
      markReady(p, task);
    }
  }
  drain(p);
  return { expired, changed: changedRecords(p) };
}

/** The earliest deadline of a current claim, if any: when `expireClaims` next has work. */
export function nextDeadline(state: GraphRunState): number | undefined {
  let earliest: number | undefined;
  for (const index of derived(state).claimed) {
    const deadline = state.tasks[index]!.deadline;
    if (deadline !== undefined && (earliest === undefined || deadline < earliest)) earliest = deadline;
  }
  return earliest;
}

function unexpectedEvaluation(): boolean {
  throw new Error("releasing a claim evaluates nothing");
}

/**
 * Restarts a claim's clock: its deadline becomes `now + timeout_seconds` (no deadline for a task
 * without a timeout). Answers the record when it changed.
 */
export function renewClaim(state: GraphRunState, id: string, now: number): { changed: TaskRecord[] } {
  const task = claimedTask(state, id);
  const deadline = task.timeoutSeconds === undefined ? undefined : now + task.timeoutSeconds * 1000;
  if (task.deadline === deadline) return { changed: [] };
  task.deadline = deadline;
  return { changed: [task] };
}

/** Stops a claim's clock: the claim stays, without a deadline, until `renewClaim` or its end. */
export function holdClaim(state: GraphRunState, id: string): { changed: TaskRecord[] } {
  const task = claimedTask(state, id);
  if (task.deadline === undefined) return { changed: [] };
  task.deadline = undefined;
  return { changed: [task] };
}
