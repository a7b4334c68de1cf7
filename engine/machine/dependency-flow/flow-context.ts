/**
 * @module
 * Everything the graph code of one transition works with: the definition, the run, the context,
 * the run's graph marker and task records, the `dependency_flow` step, and the scheduler's hooks
 * (conditions and `for_each` sources evaluated in the main thread's scope, with `tasks`).
 */

import type { WorkflowDefinition } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import { findTask, type GraphHooks, type GraphRunState } from "../../graph/index.ts";
import { stepOfTypeAt } from "../definition.ts";
import type { GraphMarker, MachineContext, RunState } from "../run-model.ts";
import type { StepOf } from "../step-types.ts";
import { describe } from "../steps/loops.ts";
import { evaluateCondition, renderValue, type ThreadScope } from "../thread-scope.ts";
import { type GraphSession, graphSession } from "./session.ts";

export interface FlowContext {
  definition: WorkflowDefinition;
  run: RunState;
  machine: MachineContext;
  marker: GraphMarker;
  state: GraphRunState;
  session: GraphSession;
  /** the `dependency_flow` step */
  step: StepOf<"dependency_flow">;
  hooks: GraphHooks;
}

/** The graph context of `run`, or undefined when it has no graph (or none was given). */
export function flowContext(
  definition: WorkflowDefinition,
  run: RunState,
  machine: MachineContext,
): FlowContext | undefined {
  const marker = run.graph;
  const session = graphSession(run);
  const state = session.state;
  if (marker === undefined || state === undefined) return undefined;
  return {
    definition,
    run,
    machine,
    marker,
    state,
    session,
    step: stepOfTypeAt(definition, marker.ref, "dependency_flow"),
    hooks: graphHooks(mainScope(definition, run, machine)),
  };
}

export function mainScope(
  definition: WorkflowDefinition,
  run: RunState,
  machine: MachineContext,
): ThreadScope {
  return { definition, run, thread: run.main, machine };
}

export function flowMainScope(flow: FlowContext): ThreadScope {
  return mainScope(flow.definition, flow.run, flow.machine);
}

/**
 * What the scheduler asks: a task's `when` conditions and `for_each` source, evaluated like any
 * condition or template of the main thread (its state, `config`, `inputs`, `tasks`, ...).
 */
export function graphHooks(main: ThreadScope): GraphHooks {
  return {
    evaluateCondition: (_taskId, source) => evaluateCondition(main, source),
    resolveItems: (taskId, source) => {
      const items = renderValue(main, source);
      if (Array.isArray(items)) return items;
      throw new EngineError(
        "graph.bad_items",
        `task "${taskId}": for_each ${JSON.stringify(source)} gave ${describe(items)}, not a list`,
      );
    },
  };
}

/** Whether `taskId` names a task (or `for_each` branch) of the run's graph. */
export function isGraphTask(flow: FlowContext, taskId: string): boolean {
  return findTask(flow.state, taskId) !== undefined;
}
