import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadFixture, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("phase5-counter.yaml (upgraded from schema_version 1)", () => {
  it("runs the standalone state_update server-side and resolves flattened names", () => {
    const agent = new ScriptedAgent(loadFixture("phase5-counter.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    expect(agent.run.main.state.state.counter).toBe(5);
    expect(agent.run.main.state.computed.doubled).toBe(10);
    const steps = agent.steps();
    expect(steps.map((step) => step.type)).toEqual(["user_message", "shell_command"]);
    expect(steps[0]!.definition.message).toBe("Counter is 5, doubled is 10");
    agent.complete(steps[1]!.id, { stdout: "Hello from workflow\n" });
    expect(agent.run.main.state.state.message).toBe("Hello from workflow\n");
    expect(agent.run.status).toBe("completed");
  });
});
