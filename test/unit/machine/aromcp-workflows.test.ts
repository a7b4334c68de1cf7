/**
 * AroMCP's own workflow files (test/fixtures/aromcp, MIT, see SOURCES.md there) run to completion
 * through the step machine, driven by a scripted agent.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { autoDrive, loadSource, ScriptedAgent } from "./agent.ts";

const aromcp = (name: string) =>
  loadSource(readFileSync(new URL(`../../fixtures/aromcp/${name}`, import.meta.url), "utf8"), name);

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("AroMCP workflows", () => {
  it("test-simple.yaml: doubled is 10, the shell output is stored", () => {
    const agent = new ScriptedAgent(aromcp("test-simple.yaml"), evaluator, { inputs: { name: "Ada" } });
    autoDrive(agent, () => ({ stdout: "Hello from workflow\n", stderr: "", exit_code: 0 }));
    expect(agent.transcript[0]).toBe("show_counter:user_message:Counter is 5, doubled is 10");
    expect(agent.run.status).toBe("completed");
    expect(agent.run.main.state.state.message).toBe("Hello from workflow\n");
  });

  it("phase5-era/test-simple.yaml runs after the upgrade", () => {
    const agent = new ScriptedAgent(aromcp("phase5-era/test-simple.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    autoDrive(agent, () => ({ stdout: "Hello from workflow\n" }));
    expect(agent.transcript[0]).toContain("Counter is 5, doubled is 10");
    expect(agent.run.status).toBe("completed");
  });

  it("test-sub-agents.yaml: every code file is processed by its own sub-agent", () => {
    const agent = new ScriptedAgent(aromcp("test-sub-agents.yaml"), evaluator);
    autoDrive(agent, () => ({ success: true, errors: [] }));
    expect(agent.run.status).toBe("completed");
    const tasks = Object.keys(agent.run.tasks);
    expect(tasks).toEqual(["process_file.item0", "process_file.item1"]);
    expect(agent.transcript).toContain(
      "process_file.item0/attempt_message:user_message:Starting attempt 1 for src/test.ts",
    );
    const first = agent.run.tasks["process_file.item0"]!;
    expect(first.state.computed).toMatchObject({ is_typescript_file: true, all_steps_completed: true });
    expect(first.state.state.success).toBe(true);
    expect(agent.transcript.at(-1)).toContain("Processing complete!");
  });

  it("analyze-dependencies.yaml: computed fields parse tool output", () => {
    const agent = new ScriptedAgent(aromcp("analyze-dependencies.yaml"), evaluator);
    autoDrive(agent, (step) =>
      step.id === "read_package"
        ? { stdout: JSON.stringify({ dependencies: { hono: "3.0.0", zod: "4.0.0" } }) }
        : { stdout: "hono 3.0.0 3.1.0 4.1.0 outdated\nzod 4.0.0 4.0.1 4.0.1 outdated\n" },
    );
    expect(agent.run.main.state.computed.security_risks).toEqual([
      { name: "hono", current: "3.0.0", wanted: "3.1.0", latest: "4.1.0" },
    ]);
    expect(agent.transcript.at(-1)).toContain("Found 2 outdated dependencies");
  });

  it("code-standards-enforce.yaml: the main agent waits for every sub-agent", () => {
    const agent = new ScriptedAgent(aromcp("code-standards-enforce.yaml"), evaluator);
    autoDrive(agent, (step) => {
      if (step.type === "shell_command") return { stdout: "src/a.ts\nREADME.md\nlib/b.py\n" };
      if (step.type === "mcp_call") return { success: true, data: { errors: [] } };
      return { done: true };
    });
    expect(agent.run.status).toBe("completed");
    expect(Object.keys(agent.run.tasks)).toHaveLength(2);
    for (const task of Object.values(agent.run.tasks)) {
      expect(task.state.computed.all_steps_completed).toBe(true);
    }
  });
});
