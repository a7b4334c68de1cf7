import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { nextWakeAt } from "../../../engine/machine/index.ts";
import { loadFixture, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("waits.yaml", () => {
  it("sleeps on a timer, yields to the agent once, then validates input", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    expect(agent.run.status).toBe("waiting");
    expect(nextWakeAt(agent.run)).toBe(agent.now + 60_000);
    expect(agent.next()).toMatchObject({
      status: "wait",
      message: "Sleeping a minute",
      retryAfterMs: 60_000,
    });

    agent.advanceTime(30_000);
    expect(agent.run.main.state.state.woke).toBe(false);
    agent.advanceTime(30_000);
    expect(agent.run.main.state.state.woke).toBe(true);
    expect(agent.run.status).toBe("running");

    // the poll point hands control back once, then the workflow moves on
    expect(agent.next()).toMatchObject({ status: "wait" });
    const [ask] = agent.steps();
    expect(ask).toMatchObject({ id: "ask_age", type: "user_input", attempt: 1 });

    agent.complete("ask_age", { user_input: "very old" });
    const [again] = agent.steps();
    expect(again).toMatchObject({ id: "ask_age", attempt: 2 });
    expect(again!.definition.previous_error).toMatch(/whole number/);

    agent.complete("ask_age", "42");
    expect(agent.run.main.state.state.age).toBe(42);
    expect(agent.run.status).toBe("completed");
  });

  it("gives up after max_retries bad answers", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    agent.wakeUp();
    agent.next();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(agent.steps()).toMatchObject([{ id: "ask_age", attempt }]);
      agent.complete("ask_age", "abc");
    }
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error?.code).toBe("step.validation_failed");
  });

  it("a timer firing twice (a replayed alarm) changes nothing the second time", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    agent.wakeUp();
    const after = structuredClone(agent.run);
    agent.advanceTime(0);
    expect(agent.run.main).toEqual(after.main);
  });
});

describe("cancel and external state updates", () => {
  it("applies agent state updates, rejects read-only paths, and cancels", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    const update = (updates: { path: string; value: unknown; operation?: string }[]) =>
      agent.finish({ kind: "update_state", updates });
    update([
      { path: "this.age", value: 3 },
      { path: "this.age", value: 4, operation: "increment" },
    ]);
    expect(agent.run.main.state.state.age).toBe(7);
    expect(() => update([{ path: "inputs.x", value: 1 }])).toThrow(/read-only|read only/);
    expect(() => update([{ path: "this.age", value: 1, operation: "explode" }])).toThrow(
      /unknown state update/,
    );

    expect(agent.finish({ kind: "cancel", reason: "user asked" })).toEqual({ status: "cancelled" });
    expect(agent.run).toMatchObject({ status: "cancelled", timers: [] });
    expect(agent.next()).toEqual({ status: "cancelled" });
    expect(() => agent.finish({ kind: "cancel" })).toThrow(/cancelled/);
  });
});
