/**
 * @module
 * The zod dialect on its own: the real AroMCP files and the seed's phase-6 blocks parse, defaults
 * and normalisations are applied, and strictness rejects typos.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  dependencyGraphSchema,
  errorHandlingSchema,
  inputSpecSchema,
  STEP_TYPES,
  stepSchema,
  triggerSchema,
  workflowSchema,
} from "../../../engine/dialect/index.ts";
import { AROMCP_FILES, fixtureText } from "../loader/fixture-text.ts";

const fixture = (name: string) => parse(fixtureText(name));

describe("workflowSchema", () => {
  it.each(AROMCP_FILES)("accepts the AroMCP file %s as written", (name) => {
    const result = workflowSchema.safeParse(fixture(name));
    expect(result.error?.issues).toBeUndefined();
  });

  it("applies the documented defaults", () => {
    const definition = workflowSchema.parse({
      name: "demo:defaults",
      description: "d",
      version: "1.0.0",
      inputs: { who: "string" },
      state_schema: { computed: { c: { from: "this.a", transform: "input" } } },
      steps: [
        { id: "loop", type: "while_loop", condition: "{{ true }}", body: [{ id: "b", type: "break" }] },
        { id: "each", type: "foreach", items: [1], body: [{ id: "m", type: "user_message", message: "x" }] },
        { id: "par", type: "parallel_foreach", items: [], sub_agent_task: "t" },
        { id: "ask", type: "user_input", prompt: "?" },
        { id: "cond", type: "conditional", condition: true },
        { id: "set", type: "set_state", state_update: { path: "this.a", value: 1 }, error_handling: {} },
      ],
    });
    expect(definition.schema_version).toBe(2);
    expect(definition.inputs?.who).toEqual({ type: "string", required: true });
    expect(definition.state_schema?.computed?.c?.on_error).toBe("use_fallback");
    const [loop, each, par, ask, cond, set] = definition.steps;
    expect(loop?.type === "while_loop" && loop.max_iterations).toBe(100);
    expect(each?.type === "foreach" && [each.variable_name, each.index_name]).toEqual(["item", "index"]);
    expect(par?.type === "parallel_foreach" && par.max_parallel).toBe(10);
    expect(ask?.type === "user_input" && ask.max_retries).toBe(3);
    expect(cond?.type === "conditional" && [cond.then_steps, cond.else_steps]).toEqual([[], []]);
    expect(set?.state_update?.operation).toBe("set");
    expect(set?.error_handling).toEqual({
      strategy: "fail",
      max_retries: 3,
      retry_delay: 1,
      backoff_multiplier: 2,
      max_delay: 300,
    });
  });

  it("rejects unknown keys on steps and at the top level", () => {
    const result = workflowSchema.safeParse({
      name: "a:b",
      description: "d",
      version: "1.0.0",
      stpes: [],
      steps: [{ id: "m", type: "user_message", message: "x", mesage: "y" }],
    });
    const codes = result.error?.issues.map((issue) => [issue.code, issue.path.join(".")]);
    expect(codes).toContainEqual(["unrecognized_keys", ""]);
    expect(codes).toContainEqual(["unrecognized_keys", "steps.0"]);
  });

  it("lists every step type of the docs", () => {
    expect(STEP_TYPES).toHaveLength(17);
    expect(stepSchema.safeParse({ id: "x", type: "nope" }).success).toBe(false);
  });
});

describe("phase-6 blocks of the seed", () => {
  const seed = {
    triggers: [
      { type: "file_change", pattern: "**/*.ts", filter: "!path.includes('test')" },
      { type: "schedule", cron: "0 */6 * * *" },
      { type: "webhook", endpoint: "/workflow/trigger", secret: "{{ env.WEBHOOK_SECRET }}" },
    ],
    dependencies: {
      analyze: [],
      parallel_checks: ["analyze", { condition: "{{ config.deep_check }}" }],
      build: ["parallel_checks", { priority: 10 }],
      deploy: ["build", { condition: "{{ all_checks_passed }}" }],
    },
  };

  it("parses the triggers as written", () => {
    for (const trigger of seed.triggers) expect(triggerSchema.safeParse(trigger).success).toBe(true);
    expect(triggerSchema.safeParse({ type: "event" }).success).toBe(false);
    expect(triggerSchema.safeParse({ type: "event", name: "deploy.done" }).success).toBe(true);
  });

  it("normalises both dependency forms to one task shape", () => {
    const graph = dependencyGraphSchema.parse({
      ...seed.dependencies,
      report: {
        needs: ["deploy"],
        when: "{{ ok }}",
        trigger_rule: "all_done",
        run: [{ id: "r", type: "break" }],
      },
    });
    expect(graph.parallel_checks).toEqual({
      needs: ["analyze"],
      when: ["{{ config.deep_check }}"],
      priority: 0,
      trigger_rule: "all_success",
    });
    expect(graph.build?.priority).toBe(10);
    expect(graph.report).toMatchObject({ needs: ["deploy"], when: ["{{ ok }}"], trigger_rule: "all_done" });
  });
});

describe("small schemas", () => {
  it("expands a bare input type", () => {
    expect(inputSpecSchema.parse("number")).toEqual({ type: "number", required: true });
  });
  it("fills error-handling defaults", () => {
    expect(errorHandlingSchema.parse({ strategy: "retry" }).max_delay).toBe(300);
  });
});
