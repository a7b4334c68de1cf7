/**
 * @module
 * What the machine hands an agent stays sound at the edges (issue 12): a shape's `required` is
 * met by own fields only, a wait is never later than the run's time limit, a wait_step `until`
 * more than 1 year away is refused, a backoff never becomes NaN, and the re-ask sentence counts
 * right when error_handling retries share the attempt counter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { backoffSeconds } from "../../../engine/machine/failure.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const HEAD = `name: "t:edges"\ndescription: d\nversion: "1.0.0"\n`;

describe("answer shapes", () => {
  it("a required field is met by the answer's own fields only (not toString)", () => {
    const yaml = `${HEAD}steps:\n  - id: ask\n    type: agent_prompt\n    prompt: p\n    expected_response: {type: object, required: [toString]}\n`;
    const agent = new ScriptedAgent(loadSource(yaml), evaluator);
    expect(agent.steps()).toMatchObject([{ id: "ask", attempt: 1 }]);
    agent.complete("ask", { other: 1 });
    const [again] = agent.steps();
    expect(again).toMatchObject({ id: "ask", attempt: 2 });
    expect(again!.definition.previous_error).toMatch(/missing the required field "toString"/);
    agent.complete("ask", { toString: "x" });
    expect(agent.run.status).toBe("completed");
  });

  it("says the last attempt is the last, when error_handling retries pass the re-asks allowed", () => {
    const yaml = `${HEAD}steps:\n  - id: ask\n    type: agent_prompt\n    prompt: p\n    expected_response: {type: object}\n    max_retries: 1\n    error_handling: {strategy: retry, max_retries: 3, retry_delay: 0}\n`;
    const agent = new ScriptedAgent(loadSource(yaml), evaluator);
    expect(agent.steps()[0]!.definition.response_instructions).toContain("attempt 1 of 2");
    agent.complete("ask", "prose");
    const [second] = agent.steps();
    expect(second).toMatchObject({ attempt: 2 });
    expect(second!.definition.response_instructions).toContain("This is the last attempt (2)");
    agent.complete("ask", "prose again");
    const [third] = agent.steps();
    expect(third).toMatchObject({ attempt: 3 });
    const text = String(third!.definition.response_instructions);
    expect(text).not.toMatch(/attempt 3 of 2/);
    expect(text).toContain("This is the last attempt (3)");
  });
});

describe("waits", () => {
  it("never tells the agent to wait past the run's time limit", () => {
    const yaml = `${HEAD}config:\n  timeout_seconds: 600\nsteps:\n  - id: nap\n    type: wait_step\n    seconds: 86400\n`;
    const agent = new ScriptedAgent(loadSource(yaml), evaluator);
    const next = agent.next();
    expect(next).toMatchObject({ status: "wait", retryAfterMs: 600_000 });
    agent.advanceTime(600_000);
    expect(agent.run.error?.code).toBe("run.timeout");
  });

  it("refuses a wait_step until more than 1 year away (no timer past what an alarm can hold)", () => {
    const yaml = `${HEAD}steps:\n  - id: nap\n    type: wait_step\n    until: "{{ '3000-01-01T00:00:00Z' }}"\n`;
    const agent = new ScriptedAgent(loadSource(yaml), evaluator);
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({
      code: "step.invalid_wait",
      message: expect.stringMatching(/1 year/),
    });
  });

  it("a zero retry_delay with a huge multiplier backs off 0 seconds, not NaN", () => {
    const policy = { retry_delay: 0, backoff_multiplier: 1e300, max_delay: 10 };
    expect([1, 2, 3].map((n) => backoffSeconds(n, policy))).toEqual([0, 0, 0]);
  });
});

describe("definitions stored before the caps", () => {
  it("a backoff of 1e300 seconds is cut to 1 year", () => {
    const policy = { retry_delay: 1e300, backoff_multiplier: 2, max_delay: 1e300 };
    expect(backoffSeconds(1, policy)).toBe(31_536_000);
  });
});
