/**
 * Workflows that cannot go silently wrong, with AroMCP's own files (test/fixtures/aromcp): a value
 * that does not fit its field's declared type is a coded step error under the step's
 * error_handling, and a result sent as a plain string is read by one rule (text for shell_command
 * and user_input, JSON text parsed for mcp_call and agent steps).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { autoDrive, loadSource, ScriptedAgent } from "./agent.ts";
import { loadGraphFixture } from "./graph-fixtures.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/aromcp/${name}`, import.meta.url), "utf8");

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

/** What AroMCP's lint_project answers: its issues inside an envelope. */
const LINT_OUTPUT = { success: true, data: { issues: [{ file: "src/a.ts", rule: "no-var", line: 3 }] } };

describe("types declared are types enforced (test-agent-communication.yaml)", () => {
  const start = (text = fixture("test-agent-communication.yaml")) =>
    new ScriptedAgent(loadSource(text), evaluator, { inputs: { project_path: "/repo" } });

  it("storing the tool's whole envelope into `lint_issues: array` fails the step, naming the field and the fix", () => {
    const agent = start();
    expect(agent.steps()[0]?.id).toBe("run_lint");
    const next = agent.complete("run_lint", LINT_OUTPUT);
    expect(next).toMatchObject({
      status: "failed",
      error: { code: "state.type_mismatch", path: "run_lint" },
    });
    const message = next.status === "failed" ? next.error.message : "";
    expect(message).toContain("this.lint_issues is declared array");
    expect(message).toContain("an object with keys success, data");
    expect(message).toContain('value: "result.data.issues"');
    // nothing was stored: the analysis was not silently skipped with has_issues false
    expect(agent.run.main.state.state.lint_issues).toEqual([]);
    expect(agent.transcript.join("\n")).not.toContain("Issues found: false");
  });

  it("the array itself is stored and the analysis runs", () => {
    const agent = start();
    agent.steps();
    expect(agent.complete("run_lint", LINT_OUTPUT.data.issues).status).toBe("ready");
    expect(agent.run.main.state.computed.has_issues).toBe(true);
    expect(agent.steps()[0]?.id).toBe("request_analysis");
  });

  it("is a step error like any other: the step's error_handling retries it with the reason", () => {
    const text = fixture("test-agent-communication.yaml").replace(
      'store_result: "this.lint_issues"',
      'store_result: "this.lint_issues"\n    error_handling: {strategy: retry, max_retries: 1, retry_delay: 0}',
    );
    const agent = start(text);
    agent.steps();
    agent.complete("run_lint", LINT_OUTPUT);
    const retried = agent.steps();
    expect(retried[0]).toMatchObject({ id: "run_lint", attempt: 2 });
    expect(String(retried[0]?.definition.previous_error)).toContain("this.lint_issues is declared array");
  });

  it("catches the file's own slip: store_response puts the whole response into `analysis_complete: boolean`", () => {
    const agent = start();
    agent.steps();
    agent.complete("run_lint", LINT_OUTPUT.data.issues);
    agent.steps();
    agent.complete("request_analysis", { summary: "s", fixes: [], priorities: {} });
    expect(agent.steps()[0]?.id).toBe("process_analysis");
    const response = { summary: "one issue", fixes: ["use let"], priorities: { high: 1 } };
    // process_analysis has error_handling retry (max_retries 2): handed out again with the reason
    agent.complete("process_analysis", response);
    expect(agent.next()).toMatchObject({
      status: "wait",
      message: expect.stringContaining("this.analysis_complete is declared boolean"),
    });
    agent.wakeUp();
    const retried = agent.steps()[0]!;
    expect(retried).toMatchObject({ id: "process_analysis", attempt: 2 });
    expect(String(retried.definition.previous_error)).toContain(
      "this.analysis_complete is declared boolean; the value written is an object with keys summary, fixes, priorities",
    );
    // none of the step's updates applied (all or nothing)
    expect(agent.run.main.state.state.suggested_fixes).toBeUndefined();
  });
});

describe("results are parsed predictably", () => {
  it("analyze-dependencies.yaml: `cat package.json` sent as text is the stdout, parsed by the computed field", () => {
    const agent = new ScriptedAgent(loadSource(fixture("analyze-dependencies.yaml")), evaluator);
    const packageJson = JSON.stringify({ name: "app", dependencies: { hono: "3.0.0" } }, null, 2);
    expect(agent.steps()[0]?.id).toBe("read_package");
    agent.complete("read_package", packageJson);
    expect(agent.run.main.state.state.package_json).toBe(packageJson);
    expect(agent.run.main.state.computed.dependencies).toEqual({ hono: "3.0.0" });
  });

  it("analyze-dependencies.yaml: the output already parsed into an object is refused, the run unchanged", () => {
    const agent = new ScriptedAgent(loadSource(fixture("analyze-dependencies.yaml")), evaluator);
    agent.steps();
    const before = structuredClone(agent.run);
    expect(() => agent.complete("read_package", { name: "app", dependencies: { hono: "3.0.0" } })).toThrow(
      expect.objectContaining({
        code: "step.invalid_result",
        message: expect.stringContaining(
          'step "read_package" is a shell_command: its result is the command\'s output. Send the output text as a string',
        ),
      }),
    );
    expect(agent.run).toEqual(before);
    agent.complete("read_package", { stdout: '{"dependencies": {"zod": "4.0.0"}}', exit_code: 0 });
    expect(agent.run.main.state.computed.dependencies).toEqual({ zod: "4.0.0" });
  });

  it("code-standards-enforce.yaml: an mcp_call result sent as JSON text is the tool's object", () => {
    const agent = new ScriptedAgent(loadSource(fixture("code-standards-enforce.yaml")), evaluator);
    autoDrive(agent, (step) => {
      if (step.type === "shell_command") return "src/a.ts\n";
      if (step.type === "mcp_call") return JSON.stringify({ success: true, data: { errors: [] } });
      return { done: true };
    });
    expect(agent.run.status).toBe("completed");
    const task = agent.run.tasks["enforce_standards_on_file.item0"]!;
    expect(task.state.state.lint_tool_output).toEqual({ success: true, data: { errors: [] } });
    expect(task.state.computed.all_steps_completed).toBe(true);
  });

  it("a user_input answer that looks like JSON stays the text the user typed", () => {
    const agent = new ScriptedAgent(
      loadSource(`name: "t:answer"
description: "d"
version: "1.0.0"
steps:
  - id: "ask"
    type: "user_input"
    prompt: "Which files?"
    state_update: { path: "this.answer", value: "user_input" }
`),
      evaluator,
    );
    agent.steps();
    agent.complete("ask", '["a.ts", "b.ts"]');
    expect(agent.run.main.state.state.answer).toBe('["a.ts", "b.ts"]');
  });
});

describe("every write path", () => {
  it("a parallel_foreach's store_results into a field declared otherwise fails that step, not every later call", () => {
    const agent = new ScriptedAgent(
      loadSource(`name: "t:fan"
description: "d"
version: "1.0.0"
state_schema:
  state: {results: object}
sub_agent_tasks:
  work:
    description: "w"
    inputs: {file: {type: string}}
    steps:
      - {id: "touch", type: "agent_prompt", prompt: "touch {{ inputs.file }}"}
steps:
  - {id: "fan", type: "parallel_foreach", items: ["a.ts"], sub_agent_task: "work", store_results: "this.results"}
`),
      evaluator,
    );
    autoDrive(agent, () => ({ done: true }));
    expect(agent.run.status).toBe("failed");
    expect(agent.run.main.error).toMatchObject({
      code: "state.type_mismatch",
      message: expect.stringContaining("this.results is declared object; the value written is an array"),
    });
  });

  it("a set_state in a foreach body writing another type fails under its error_handling (continue skips it)", () => {
    const agent = new ScriptedAgent(
      loadSource(`name: "t:loop"
description: "d"
version: "1.0.0"
default_state:
  state: {total: 0, last: ""}
state_schema:
  state: {total: number, last: string}
steps:
  - id: "each"
    type: "foreach"
    items: [1, "2"]
    body:
      - id: "add"
        type: "set_state"
        state_update: {path: "this.total", operation: "set", value: "{{ loop.item }}"}
        error_handling: {strategy: continue}
      - id: "keep"
        type: "set_state"
        state_update: {path: "this.last", value: "{{ String(loop.item) }}"}
`),
      evaluator,
    );
    // "2" is not a number: that pass's add is skipped (continue), the rest of the pass runs
    expect(agent.run.status).toBe("completed");
    expect(agent.run.main.state.state).toEqual({ total: 1, last: "2" });
  });

  it("a dependency-graph task's answer sent as JSON text still adds tasks (agent_prompt JSON text is parsed)", () => {
    const agent = new ScriptedAgent(loadGraphFixture("dynamic-run.yaml"), evaluator);
    agent.steps();
    const plan = {
      add_tasks: {
        build_a: {
          needs: ["plan"],
          run: [
            {
              id: "a_mark",
              type: "set_state",
              state_update: { path: "this.ran", operation: "append", value: "a" },
            },
          ],
        },
      },
      add_edges: [{ from: "build_a", to: "ship" }],
    };
    expect(agent.complete("make_plan", JSON.stringify(plan), "plan")).toEqual({ status: "completed" });
    expect(agent.run.main.state.state.ran).toEqual(["a", "ship"]);
  });
});
