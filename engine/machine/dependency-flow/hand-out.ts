/**
 * @module
 * Agents and graph tasks. A `workflow_get_next_step` without `task_id` while the main thread waits
 * on its graph hands out the client step of a task that nobody has yet (so several agents work
 * through one graph at once, each on a different task); the instruction carries the task's id as
 * `task_id` and its claim number as `claim`, and the task's `timeout_seconds` runs from then.
 * With a graph task's `task_id`, the agent drives that task (and is given its step again if it
 * already has it). Otherwise the answer says how far the graph is.
 */
import { findTask, isFinal, renewClaim } from "../../graph/index.ts";
import { advanceThread, runUntilClientStep } from "../advance.ts";
import type { ClientInstruction, GraphTaskThread, NextStep } from "../run-model.ts";
import type { FlowContext } from "./flow-context.ts";
import { graphProgress } from "./progress.ts";
import { pumpGraph, settleGraphThread } from "./pump.ts";
import { noteChanged } from "./session.ts";
import { completeDelivered, graphThreadOf, isOut, onGraphThread, waitsForAgent } from "./task-threads.ts";

/** The main agent asks for work: the step of a task nobody has, or how far the graph is. */
export function handOutGraphStep(flow: FlowContext): NextStep {
  for (;;) {
    pumpGraph(flow, runUntilClientStep);
    let ended = false;
    for (const id of Object.keys(flow.marker.threads)) {
      const thread = graphThreadOf(flow.run, id)!;
      if (!waitsForAgent(thread)) continue;
      const next = issueFrom(flow, thread);
      if (next.status === "steps") return next;
      ended ||= graphThreadOf(flow.run, id) === undefined;
    }
    if (!ended || flow.marker.status !== "running") return graphProgress(flow);
  }
}

/** An agent drives one graph task (`task_id`). */
export function nextForGraphTask(flow: FlowContext, taskId: string): NextStep {
  const thread = graphThreadOf(flow.run, taskId);
  if (thread !== undefined) {
    const next = issueFrom(flow, thread);
    if (next.status === "steps" || graphThreadOf(flow.run, taskId) !== undefined) return next;
  }
  return graphTaskAnswer(flow, taskId);
}

/** Where a graph task without a thread stands, for the agent that asked about it. */
export function graphTaskAnswer(flow: FlowContext, taskId: string): NextStep {
  const record = findTask(flow.state, taskId)!;
  if (record.status === "failed") {
    return {
      status: "failed",
      error: record.error ?? { code: "graph.task_failed", message: `task "${taskId}" failed` },
    };
  }
  if (isFinal(record.status)) return { status: "completed" };
  return { status: "wait", message: `Task "${taskId}" is ${record.status}; it has no step for you yet.` };
}

/** Hands out the thread's next client step (again, if it is already out with this agent). */
function issueFrom(flow: FlowContext, thread: GraphTaskThread): NextStep {
  const next = onGraphThread(flow, thread, (scope) => {
    completeDelivered(scope);
    const answer = advanceThread(scope, { issue: true });
    // A wait_step without a timer hands control back once: in a task, go straight on.
    if (answer.status === "wait" && !thread.waitingFor) return advanceThread(scope, { issue: false });
    return answer;
  });
  settleGraphThread(flow, thread);
  if (next.status !== "steps") return next;
  if (graphThreadOf(flow.run, thread.id) === thread && isOut(thread)) {
    thread.handedOutAt = flow.machine.now;
    noteChanged(flow.session, renewClaim(flow.state, thread.id, flow.machine.now).changed);
  }
  return { status: "steps", steps: next.steps.map((step) => labelled(step, thread)) };
}

function labelled(step: ClientInstruction, thread: GraphTaskThread): ClientInstruction {
  return { ...step, task_id: thread.graphTask, claim: thread.claim };
}
