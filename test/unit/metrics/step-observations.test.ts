/** Which steps a transition finished: pending before, not after, in any thread. */
import { describe, expect, it } from "vitest";
import type { PendingStep, RunState, Thread } from "../../../engine/machine/run-model.ts";
import { finishedSteps } from "../../../engine/metrics/step-observations.ts";

function pending(id: string, type: string, issuedAt: number, attempt = 1): PendingStep {
  return { id, type, attempt, issuedAt, definition: {}, ref: ["steps", 0], implicit: false };
}

function thread(id: string, steps: PendingStep[]): Thread {
  return {
    id,
    status: "ready",
    state: { inputs: {}, state: {}, computed: {} } as never,
    frames: [],
    pending: steps,
  };
}

function run(updatedAt: number, main: PendingStep[], task: PendingStep[] = []): RunState {
  return {
    id: "r",
    workflow: "w",
    version: "1",
    status: "running",
    createdAt: 0,
    updatedAt,
    main: thread("main", main),
    tasks:
      task.length === 0
        ? {}
        : {
            t1: {
              ...thread("t1", task),
              task: "t",
              parentStepId: "p",
              index: 0,
              item: null,
              queued: false,
              announced: true,
            },
          },
    timers: [],
    seq: 1,
  };
}

describe("finishedSteps", () => {
  it("times every step that was pending and is no longer, from hand-out to the transition", () => {
    const before = run(
      1_000,
      [pending("a", "mcp_call", 500), pending("b", "user_message", 900)],
      [pending("c", "mcp_call", 0)],
    );
    const after = run(3_000, [pending("b", "user_message", 900)]);
    expect(finishedSteps(before, after)).toEqual([
      { type: "mcp_call", seconds: 2.5 },
      { type: "mcp_call", seconds: 3 },
    ]);
  });

  it("a new attempt ends the earlier one; a start finishes nothing", () => {
    const before = run(1_000, [pending("a", "mcp_call", 0, 1)]);
    const after = run(2_000, [pending("a", "mcp_call", 2_000, 2)]);
    expect(finishedSteps(before, after)).toEqual([{ type: "mcp_call", seconds: 2 }]);
    expect(finishedSteps(undefined, after)).toEqual([]);
  });
});
