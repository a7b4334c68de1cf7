import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { snapshotRun } from "../../../engine/machine/index.ts";
import { loadFixture, loadSource, ScriptedAgent } from "./agent.ts";

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

describe("secrets", () => {
  it("env values are usable in templates and redacted from snapshots", () => {
    const definition = loadSource(`
name: "test:secrets"
description: "copies a secret into state"
version: "1.0.0"
default_state:
  state:
    header: ""
steps:
  - id: "build_header"
    type: "set_state"
    state_update: { path: "this.header", value: "Bearer {{ env.API_TOKEN }}" }
  - id: "call"
    type: "mcp_call"
    tool: "http"
    parameters:
      auth: "{{ this.header }}"
`);
    const secret = "sk_live_0123456789";
    const agent = new ScriptedAgent(definition, evaluator, { env: { API_TOKEN: secret } });
    expect(agent.run.main.state.state.header).toBe(`Bearer ${secret}`);
    const view = snapshotRun(agent.run, { secrets: { API_TOKEN: secret } });
    expect(JSON.stringify(view)).not.toContain(secret);
    expect(view.state.state.header).toBe("Bearer [redacted]");
  });
});
