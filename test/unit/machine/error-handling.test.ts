import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { backoffSeconds } from "../../../engine/machine/failure.ts";
import { loadFixture, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("retry-fallback.yaml", () => {
  it("retries with exponential backoff, then falls back; retries to success; continues; times out", () => {
    const agent = new ScriptedAgent(loadFixture("retry-fallback.yaml"), evaluator);

    // run_lint: attempt 1 fails -> retry after 1 s; attempt 2 fails -> after 3 s; attempt 3 fails -> fallback
    expect(agent.steps()).toMatchObject([{ id: "run_lint", attempt: 1 }]);
    expect(agent.fail("run_lint", "server down")).toMatchObject({ status: "wait", retryAfterMs: 1000 });
    expect(agent.run.status).toBe("waiting");
    expect(agent.next()).toMatchObject({ status: "wait" });
    agent.advanceTime(999);
    expect(agent.next()).toMatchObject({ status: "wait" });
    agent.advanceTime(1);
    const retry = agent.steps();
    expect(retry).toMatchObject([
      { id: "run_lint", attempt: 2, definition: { previous_error: "server down" } },
    ]);
    expect(agent.fail("run_lint", "still down")).toMatchObject({ status: "wait", retryAfterMs: 3000 });
    agent.wakeUp();
    expect(agent.steps()).toMatchObject([{ id: "run_lint", attempt: 3 }]);
    agent.fail("run_lint", "down for good");
    expect(agent.run.main.state.state.lint).toEqual({ ok: false, reason: "lint unavailable" });

    // flaky_call: fails once, succeeds on the retry
    expect(agent.steps()).toMatchObject([{ id: "flaky_call", attempt: 1 }]);
    expect(agent.fail("flaky_call", "blip")).toMatchObject({ status: "wait", retryAfterMs: 2000 });
    agent.wakeUp();
    expect(agent.steps()).toMatchObject([{ id: "flaky_call", attempt: 2 }]);
    agent.complete("flaky_call", { ok: true });
    expect(agent.run.main.state.state.flaky).toEqual({ ok: true });
    expect(agent.run.main.attempts ?? {}).not.toHaveProperty("flaky_call");

    // optional_call: strategy continue, its state update is not applied
    expect(agent.steps()).toMatchObject([{ id: "optional_call" }]);
    agent.fail("optional_call", "nope");
    expect(agent.run.main.state.state.skipped).toBe(true);

    // slow_question: nobody answers within 30 s -> timeout -> fallback "nothing"
    expect(agent.steps()).toMatchObject([{ id: "slow_question" }]);
    agent.advanceTime(29_000);
    expect(agent.run.main.pending.map((pending) => pending.id)).toEqual(["slow_question"]);
    agent.advanceTime(1_000);
    expect(agent.run.main.state.state.answer).toBe("nothing");
    expect(agent.run.status).toBe("completed");
    expect(agent.run.timers).toEqual([]);
  });

  it("a late completion after a timeout is refused", () => {
    const agent = new ScriptedAgent(loadFixture("retry-fallback.yaml"), evaluator);
    agent.steps();
    agent.complete("run_lint", { ok: true });
    agent.steps();
    agent.complete("flaky_call", {});
    agent.steps();
    agent.complete("optional_call", {});
    expect(agent.run.main.state.state.skipped).toBe(false);
    agent.steps();
    agent.advanceTime(30_000);
    expect(() => agent.complete("slow_question", "too late")).toThrow(
      /completed; it accepts no more changes/,
    );
  });

  it("computes backoff as delay × multiplier^(n-1), capped", () => {
    const policy = { retry_delay: 1, backoff_multiplier: 2, max_delay: 10 };
    expect([1, 2, 3, 4, 5].map((n) => backoffSeconds(n, policy))).toEqual([1, 2, 4, 8, 10]);
  });
});

describe("failing without error handling", () => {
  it("fails the run, keeps the error, and refuses further completions", () => {
    const agent = new ScriptedAgent(loadFixture("simple-counter.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    agent.steps();
    expect(agent.fail("run_echo", "command not found")).toMatchObject({
      status: "failed",
      error: { code: "step.failed", path: "run_echo" },
    });
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error?.message).toMatch(/command not found/);
    expect(() => agent.complete("run_echo", {})).toThrow(/failed/);
    expect(agent.next().status).toBe("failed");
  });
});
