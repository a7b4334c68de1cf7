/**
 * @module
 * The graph's part of settling a run after each event: take back expired claims, start what can
 * start, and once every task has finished, end the `dependency_flow` step and let the main thread
 * go on. Then the marker in `RunState` is brought up to date (its counts are how the next
 * transition checks it was given the right records).
 */

import type { WorkflowDefinition } from "../../dialect/index.ts";
import { isGraphFinished } from "../../graph/index.ts";
import { advanceThread, runUntilClientStep } from "../advance.ts";
import type { MachineContext, RunState } from "../run-model.ts";
import { finishFlow } from "./finish.ts";
import { flowContext, flowMainScope } from "./flow-context.ts";
import { expireDueClaims, pumpGraph } from "./pump.ts";
import { graphSession } from "./session.ts";

export function settleGraph(definition: WorkflowDefinition, run: RunState, machine: MachineContext): void {
  const flow = flowContext(definition, run, machine);
  if (flow === undefined || flow.marker.status !== "running") return;
  expireDueClaims(flow);
  pumpGraph(flow, runUntilClientStep);
  if (!isGraphFinished(flow.state)) return;
  finishFlow(flow);
  advanceThread(flowMainScope(flow), { issue: false });
}

export function syncGraphMarker(run: RunState): void {
  const state = graphSession(run).state;
  if (run.graph === undefined || state === undefined) return;
  run.graph.total = state.tasks.length;
  run.graph.counts = { ...state.counts };
}
