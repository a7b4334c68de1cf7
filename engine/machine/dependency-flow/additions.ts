/**
 * @module
 * Dynamic task generation. When a client step of a graph task succeeds with a result object that
 * has `add_tasks` (task name → task, in either form of the `dependencies` block) and/or
 * `add_edges` (`[{from, to}]`: `to` needs `from`), the tasks and edges join the graph before the
 * task goes on. The addition is checked as a whole (names, schema, unknown tasks, self-edges,
 * edges into started or finished tasks, cycles, the quota) and refused as a whole: the completion
 * then fails with the graph's error (`graph.dynamic_cycle`, ...) and nothing changes, so the
 * agent can send a corrected result.
 */
import { EngineError } from "../../errors.ts";
import { addTasks, type GraphEdge } from "../../graph/index.ts";
import type { FlowContext } from "./flow-context.ts";
import { noteChanged } from "./session.ts";

/** Whether `result` asks for tasks or edges to be added. */
export function hasAdditions(result: unknown): result is { add_tasks?: unknown; add_edges?: unknown } {
  return (
    typeof result === "object" &&
    result !== null &&
    !Array.isArray(result) &&
    ("add_tasks" in result || "add_edges" in result)
  );
}

/** Adds what `result` asks for, on behalf of task `taskId`; throws `graph.*` and changes nothing. */
export function applyAdditions(
  flow: FlowContext,
  taskId: string,
  result: { add_tasks?: unknown; add_edges?: unknown },
): void {
  const edges = result.add_edges ?? [];
  if (!Array.isArray(edges)) {
    throw new EngineError("graph.invalid_task", "add_edges must be a list of {from, to} task names", {
      path: "result.add_edges",
    });
  }
  const { changed } = addTasks(flow.state, result.add_tasks ?? {}, edges as GraphEdge[], {
    hooks: flow.hooks,
    now: flow.machine.now,
    addedBy: taskId,
  });
  noteChanged(flow.session, changed);
}
