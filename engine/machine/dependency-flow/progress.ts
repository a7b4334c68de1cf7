/**
 * @module
 * What an agent is told while a graph runs and it has nothing to do: how many tasks have
 * finished, how many are running and how many of those are with agents, and when to come back
 * (the earliest timer or claim deadline, or at once when the graph goes on by itself).
 */
import { nextDeadline } from "../../graph/index.ts";
import type { NextStep } from "../run-model.ts";
import type { FlowContext } from "./flow-context.ts";
import { isOut, waitsForAgent } from "./task-threads.ts";

export function graphProgress(flow: FlowContext): NextStep {
  const { state, marker, run, machine } = flow;
  const { counts } = state;
  const finished = counts.success + counts.failed + counts.skipped + counts.upstream_failed;
  const threads = Object.values(marker.threads);
  const withAgents = threads.filter(isOut).length;
  const message =
    `Dependency graph of step "${marker.stepId}": ${finished} of ${state.tasks.length} tasks finished, ` +
    `${counts.running} running (${withAgents} with agents), ${counts.ready + counts.waiting} to go.`;
  const next: NextStep = { status: "wait", message };
  let wake = nextDeadline(state);
  for (const timer of run.timers) if (wake === undefined || timer.at < wake) wake = timer.at;
  if (wake !== undefined) next.retryAfterMs = Math.max(0, wake - machine.now);
  return next;
}

/** Some task's thread stands in front of a client step that no agent has yet. */
export function hasWorkForAgents(flow: FlowContext): boolean {
  return Object.values(flow.marker.threads).some(waitsForAgent);
}

/**
 * The answer to an agent after it completed a graph task's step (or wrote state for one): its
 * task's own steps when asked for them, otherwise "ready" when there is work to hand out (or the
 * graph is over and the main thread went on), else how far the graph is.
 */
export function graphTaskEventAnswer(flow: FlowContext, next: NextStep, event: string): NextStep {
  if (event === "next") return next;
  if (flow.marker.status !== "running" || hasWorkForAgents(flow)) return { status: "ready" };
  return graphProgress(flow);
}
