/**
 * Scenario tests of the migration planner (engine/versions/): runs of AroMCP-shaped workflows
 * driven to a position by the scripted agent, then planned onto another version. Each test says
 * what it proves; the fixtures are test/fixtures/versions/ and test/fixtures/scenarios/.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Migration, WorkflowDefinition } from "../../../engine/dialect/index.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { type RunState, transition } from "../../../engine/machine/index.ts";
import { type MigrationPlan, planMigration } from "../../../engine/versions/index.ts";
import { loadFixture, loadSource, ScriptedAgent } from "../machine/agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const VERSIONS = new URL("../../fixtures/versions/", import.meta.url);
const text = (name: string) => readFileSync(new URL(name, VERSIONS), "utf8");
const V1 = loadSource(text("review-v1.yaml"), "review-v1.yaml");
const V2 = loadSource(text("review-v2.yaml"), "review-v2.yaml");

function plan(run: RunState, from: WorkflowDefinition, to: WorkflowDefinition): MigrationPlan {
  return planMigration({
    run,
    from: { version: from.version, definition: from },
    to: { version: to.version, definition: to },
    evaluator,
    now: 5_000,
  });
}

function okPlan(result: MigrationPlan): Extract<MigrationPlan, { ok: true }> {
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.problems)}`);
  return result;
}

/** A review run with `ask_scope` handed out. */
function atAskScope(): ScriptedAgent {
  const agent = new ScriptedAgent(V1, evaluator, { inputs: { files: ["a.ts", "b.ts"] } });
  expect(agent.steps().map((step) => step.id)).toEqual(["greet", "ask_scope"]);
  return agent;
}

/** A review run inside `review_loop`, second pass, with `fix` handed out. */
function inLoop(): ScriptedAgent {
  const agent = atAskScope();
  agent.complete("ask_scope", "all rules");
  expect(agent.steps().map((step) => step.id)).toEqual(["lint"]);
  agent.complete("lint", { ok: true });
  expect(agent.steps().map((step) => step.id)).toEqual(["fix"]);
  return agent;
}

describe("v1 → v2 of an AroMCP-shaped workflow", () => {
  it("continues at the step handed out although a step was added before it", () => {
    const agent = atAskScope();
    const result = okPlan(plan(agent.run, V1, V2));
    expect(result.positions).toEqual([
      {
        thread_id: "main",
        from_step_id: "ask_scope",
        step_id: "ask_scope",
        list: ["steps"],
        // `greet` is a message: it completes by itself on the thread's next `next`
        pending: ["greet", "ask_scope"],
      },
    ]);
    expect(result.run.main.frames).toEqual([
      { ref: ["steps"], pc: 2, address: { list: ["steps"], at: "ask_scope" } },
    ]);
    expect(result.run.main.pending.map((step) => [step.id, step.ref])).toEqual([
      ["greet", ["steps", 0]],
      ["ask_scope", ["steps", 2]],
    ]);
    expect(result.run.version).toBe("2.0.0");
  });

  it("renames counter to count, drops scratch, adds defaults and recomputes, and lists each change", () => {
    const result = okPlan(plan(atAskScope().run, V1, V2));
    expect(result.migrations).toEqual([
      {
        index: 0,
        from: "^1.0.0",
        to: "2.0.0",
        applied_to: "1.0.0",
        description: "counter is now count",
        operations: 1,
        script: true,
      },
    ]);
    expect(result.run.main.state.state).toEqual({
      count: 0,
      severity: "error",
      findings: ["migrated from 1.0.0"],
    });
    expect(result.stateChanges).toEqual([
      { path: "inputs.strict", after: false },
      { path: "state.count", after: 0 },
      { path: "state.counter", before: 0 },
      { path: "state.findings", before: [], after: ["migrated from 1.0.0"] },
      { path: "state.scratch", before: "temp" },
      { path: "state.severity", after: "error" },
      { path: "computed.strictness", after: "lenient" },
    ]);
  });

  it("keeps a loop's pass and the step inside it; the migrated run goes on to the new step in the loop", () => {
    const agent = inLoop();
    const result = okPlan(plan(agent.run, V1, V2));
    expect(result.positions[0]).toMatchObject({
      from_step_id: "fix",
      step_id: "fix",
      list: ["steps", "review_loop", "body"],
    });
    expect(result.run.main.frames.map((frame) => [frame.ref, frame.pc, frame.loop?.iteration])).toEqual([
      [["steps"], 4, undefined],
      [["steps", 3, "body"], 2, 1],
    ]);
    // drive the migrated run on v2: the second pass runs the new `format` step after `lint`
    const migrated = new ScriptedAgent(V2, evaluator, { inputs: { files: [] } });
    migrated.run = result.run;
    migrated.complete("fix", "fixed");
    expect(migrated.steps().map((step) => step.id)).toEqual(["lint"]);
    migrated.complete("lint", { ok: true });
    expect(migrated.steps().map((step) => step.id)).toEqual(["format"]);
    migrated.complete("format", {});
    expect(migrated.steps().map((step) => step.id)).toEqual(["fix"]);
    migrated.complete("fix", "fixed");
    expect(migrated.steps().map((step) => step.id)).toEqual(["report"]);
    expect(migrated.run.main.state.state.count).toBe(2);
  });

  it("refuses when the current step is gone (migrate.step_missing), and leaves the run as it was", () => {
    const agent = atAskScope();
    const before = structuredClone(agent.run);
    const v3 = loadSource(
      text("review-v2.yaml")
        .replace('version: "2.0.0"', 'version: "3.0.0"')
        .replace(/ {2}- id: "ask_scope"\n {4}type: "user_input"\n {4}prompt: "Which rules\?"\n/, ""),
    );
    const result = plan(agent.run, V1, v3);
    expect(result).toEqual({
      ok: false,
      problems: [expect.objectContaining({ code: "migrate.step_missing", step_id: "ask_scope" })],
    });
    expect(agent.run).toEqual(before);
  });

  it("refuses when the loop the run is inside is gone or the step left it (migrate.step_missing / step_moved)", () => {
    const run = inLoop().run;
    const unrolled = loadSource(`
name: "test:review"
description: "Review files once"
version: "2.0.0"
inputs:
  files: { type: "array", description: "Files", required: true }
steps:
  - id: "lint"
    type: "mcp_call"
    tool: "lint"
  - id: "fix"
    type: "agent_prompt"
    prompt: "Fix what lint found"
`);
    expect(plan(run, V1, unrolled)).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        expect.objectContaining({ code: "migrate.step_missing", step_id: "review_loop" }),
      ]),
    });
    const moved = loadSource(
      text("review-v1.yaml")
        .replace('version: "1.0.0"', 'version: "2.0.0"')
        .replace(/ {6}- id: "fix"\n {8}type: "agent_prompt"\n {8}prompt: "Fix what lint found"\n/, "")
        .concat('  - id: "fix"\n    type: "agent_prompt"\n    prompt: "Fix what lint found"\n'),
    );
    expect(plan(run, V1, moved)).toMatchObject({
      ok: false,
      problems: [expect.objectContaining({ code: "migrate.step_moved", step_id: "fix" })],
    });
  });

  it("gives a loop frame the settings its loop has in the new version (max_iterations)", () => {
    const result = okPlan(
      plan(
        inLoop().run,
        V1,
        loadSource(text("review-v2.yaml").replace("max_iterations: 5", "max_iterations: 7")),
      ),
    );
    expect(result.run.main.frames[1]!.loop).toMatchObject({
      stepId: "review_loop",
      iteration: 1,
      maxIterations: 7,
    });
  });

  it("refuses a branch the step no longer has (migrate.scope_changed)", () => {
    const branchy = (version: string, pick: string) =>
      loadSource(`
name: "test:review"
description: "Branches"
version: "${version}"
steps:
  - id: "pick"
${pick}
  - id: "after"
    type: "user_message"
    message: "done"
`);
    const v1 = branchy(
      "1.0.0",
      `    type: "conditional"
    condition: "true"
    then_steps:
      - { id: "ask", type: "user_input", prompt: "?" }`,
    );
    const agent = new ScriptedAgent(v1, evaluator);
    expect(agent.steps().map((step) => step.id)).toEqual(["ask"]);
    const looped = branchy(
      "2.0.0",
      `    type: "while_loop"
    condition: "false"
    body:
      - { id: "ask", type: "user_input", prompt: "?" }`,
    );
    expect(plan(agent.run, v1, looped)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.scope_changed", step_id: "pick" }],
    });
  });

  it("refuses a new required input without a default (migrate.input_missing)", () => {
    const v2 = loadSource(
      text("review-v2.yaml").replace("    required: false\n    default: false\n", "    required: true\n"),
    );
    expect(plan(atAskScope().run, V1, v2)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.input_missing", path: "inputs.strict" }],
    });
  });

  it("refuses a state field that no longer fits its declared type (migrate.type_mismatch)", () => {
    // the rename carries the number 0 into a field v2 declares a string
    const v2 = loadSource(
      text("review-v2.yaml")
        .replace("    count: 0\n", "    count: null\n")
        .replace('    count: "number"', '    count: "string"'),
    );
    expect(plan(atAskScope().run, V1, v2)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.type_mismatch", path: "state.count" }],
    });
  });

  it.each([
    ["throws", "{{ state.nothing.here }}", "migrate.script_failed"],
    ["runs out of its budget", "{{ (() => { for (;;) {} })() }}", "migrate.script_failed"],
    ["returns a list", "{{ [1, 2] }}", "migrate.script_result"],
    ["returns __proto__ keys", '{{ JSON.parse(\'{"__proto__": {"x": 1}}\') }}', "migrate.script_result"],
    // the loader refuses this one; a definition stored before that check is refused here
    ["is not one expression", "count: {{ 1 }}", "migrate.bad_script"],
  ])("refuses a script that %s, the run untouched", (_what, script, code) => {
    const run = atAskScope().run;
    const before = structuredClone(run);
    const v2 = structuredClone(V2);
    v2.migrations = [{ ...(V2.migrations![0] as Exclude<Migration, string>), script }];
    expect(plan(run, V1, v2)).toMatchObject({ ok: false, problems: [{ code, path: "migrations[0]" }] });
    expect(run).toEqual(before);
  });

  it("runs declarative operations in order, then the target's declarations", () => {
    const v2 = structuredClone(V2);
    v2.migrations = [
      {
        from: "1.x",
        to: "2.0.0",
        operations: [
          { rename: { from: "counter", to: "count" } },
          { move: { from: "scratch", to: "notes.first" } },
          { set_default: { path: "severity", value: "warn" } },
          { set_default: { path: "count", value: 99 } },
          { delete: "findings" },
        ],
      },
    ];
    const result = okPlan(plan(atAskScope().run, V1, v2));
    // `findings` deleted, then given v2's default back; `notes` is no version's field: kept
    expect(result.run.main.state.state).toEqual({
      count: 0,
      notes: { first: "temp" },
      severity: "warn",
      findings: [],
    });
    expect(result.migrations).toMatchObject([{ index: 0, operations: 5, script: false }]);
  });

  it("refuses an operation that meets a non-object on its path (migrate.operation_failed)", () => {
    const v2 = structuredClone(V2);
    v2.migrations = [
      { from: "1.x", to: "2.0.0", operations: [{ move: { from: "scratch", to: "counter.inner" } }] },
    ];
    expect(plan(atAskScope().run, V1, v2)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.operation_failed", path: "migrations[0]" }],
    });
  });

  it("chains entries in list order by their ranges until the target version, each seeing its versions", () => {
    const v2 = structuredClone(V2);
    const trail = (tag: string) =>
      `{{ ({ ...state, findings: state.findings.concat(['${tag} ' + from_version + '>' + to_version]) }) }}`;
    v2.migrations = [
      "prose: never runs",
      { from: "^2.0.0", to: "3.0.0", script: trail("too new") },
      { from: ">=1.0.0 <1.5.0", to: "1.5.0", script: trail("first") },
      { from: "1.5.x", to: "2.0.0", script: trail("second") },
      { from: "1.x", to: "2.0.0", script: trail("not again") },
    ];
    const result = okPlan(plan(atAskScope().run, V1, v2));
    expect(result.run.main.state.state.findings).toEqual(["first 1.0.0>1.5.0", "second 1.5.0>2.0.0"]);
    expect(
      result.migrations.map((migration) => [migration.index, migration.applied_to, migration.to]),
    ).toEqual([
      [2, "1.0.0", "1.5.0"],
      [3, "1.5.0", "2.0.0"],
    ]);
  });

  it("refuses an ended run and a run of another workflow", () => {
    const agent = atAskScope();
    const cancelled = transition(V1, agent.run, { kind: "cancel" }, { now: 1, evaluator }).run;
    expect(plan(cancelled, V1, V2)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.run_finished" }],
    });
    const other = loadSource(text("review-v2.yaml").replace('name: "test:review"', 'name: "test:other"'));
    expect(plan(agent.run, V1, other)).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.workflow_mismatch" }],
    });
    // a version given with another version's definition
    const mislabelled = planMigration({
      run: agent.run,
      from: { version: "1.0.0", definition: V1 },
      to: { version: "2.1.0", definition: V2 },
      evaluator,
      now: 5_000,
    });
    expect(mislabelled).toMatchObject({ ok: false, problems: [{ code: "migrate.workflow_mismatch" }] });
  });
});

describe("sub-agent task threads", () => {
  const V1_TASKS = loadFixture("sub-agents.yaml");
  const source = readFileSync(new URL("../../fixtures/scenarios/sub-agents.yaml", import.meta.url), "utf8");

  /** Two tasks started, item0 at `lint`, one queued. */
  function fannedOut(): ScriptedAgent {
    const agent = new ScriptedAgent(V1_TASKS, evaluator, { inputs: { files: ["a.ts", "b.js", "c.ts"] } });
    agent.steps();
    expect(agent.steps("process_file.item0").map((step) => step.id)).toEqual(["announce", "lint"]);
    return agent;
  }

  it("maps every task thread by id and keeps the main thread at its parallel_foreach", () => {
    const v2 = loadSource(
      source
        .replace('version: "1.0.0"', 'version: "1.1.0"')
        .replace(
          '      - id: "lint"',
          '      - id: "prepare"\n        type: "user_message"\n        message: "ready"\n      - id: "lint"',
        ),
    );
    const result = okPlan(plan(fannedOut().run, V1_TASKS, v2));
    expect(
      result.positions.map(({ thread_id, step_id, list }) => [thread_id, step_id, list.join(".")]),
    ).toEqual([
      ["main", "fan_out", "steps"],
      ["process_file.item0", "lint", "sub_agent_tasks.process_file.steps"],
      ["process_file.item1", "announce", "sub_agent_tasks.process_file.steps"],
      ["process_file.item2", "announce", "sub_agent_tasks.process_file.steps"],
    ]);
    expect(result.run.tasks["process_file.item0"]!.frames[0]).toMatchObject({ pc: 2 });
    expect(result.run.tasks["process_file.item0"]!.pending.map((step) => [step.id, step.ref.at(-1)])).toEqual(
      [
        ["announce", 0],
        ["lint", 2],
      ],
    );
  });

  it("names the task whose step is gone (task_id), and a sub_agent_task that is gone", () => {
    const noLint = loadSource(
      source.replace('version: "1.0.0"', 'version: "2.0.0"').replace(/ {6}- id: "lint"[\s\S]*$/, ""),
    );
    const result = plan(fannedOut().run, V1_TASKS, noLint);
    expect(result).toMatchObject({
      ok: false,
      problems: [{ code: "migrate.step_missing", step_id: "lint", task_id: "process_file.item0" }],
    });
  });
});

describe("sub-agent tasks that have ended", () => {
  it("are kept as they are, even when their sub_agent_task is gone", () => {
    // `report` asks instead of telling, so the run waits there after its tasks
    const source = readFileSync(
      new URL("../../fixtures/scenarios/sub-agents.yaml", import.meta.url),
      "utf8",
    ).replace(
      'type: "user_message"\n    message: "{{ this.ok_count }}',
      'type: "user_input"\n    prompt: "{{ this.ok_count }}',
    );
    const v1 = loadSource(source);
    const agent = new ScriptedAgent(v1, evaluator, { inputs: { files: ["a.ts"] } });
    agent.steps();
    agent.steps("process_file.item0");
    agent.complete("lint", { errors: [] }, "process_file.item0");
    expect(agent.next("process_file.item0")).toEqual({ status: "completed" });
    expect(agent.steps().map((step) => step.id)).toEqual(["report"]);
    // v2 runs no sub-agents any more
    const v2 = loadSource(
      source
        .replace('version: "1.0.0"', 'version: "2.0.0"')
        .replace(/ {2}- id: "fan_out"[\s\S]*?store_results: "this.results"\n/, "")
        .replace(/sub_agent_tasks:[\s\S]*$/, ""),
    );
    const result = okPlan(plan(agent.run, v1, v2));
    expect(result.positions.map((position) => position.thread_id)).toEqual(["main"]);
    expect(result.run.tasks).toEqual(agent.run.tasks);
  });
});

describe("AroMCP's test-sub-agents.yaml", () => {
  const source = readFileSync(new URL("../../fixtures/aromcp/test-sub-agents.yaml", import.meta.url), "utf8");
  const v1 = loadSource(source, "test-sub-agents.yaml");
  // 1.1.0 renames processed_count to files_done (a declarative rename)
  const v2 = loadSource(
    `${source.replace('version: "1.0.0"', 'version: "1.1.0"').replaceAll("processed_count", "files_done")}
migrations:
  - from: "1.0.x"
    to: "1.1.0"
    operations:
      - rename: { from: "processed_count", to: "files_done" }
`,
  );

  it("moves a run whose sub-agents stand inside a loop's branch, and renames the main state field", () => {
    const agent = new ScriptedAgent(v1, evaluator);
    expect(agent.steps().at(-1)).toMatchObject({ id: "process_files_parallel" });
    const steps = agent.steps("process_file.item0").map((step) => step.id);
    expect(steps).toEqual(["attempt_message", "get_hints"]);
    const result = okPlan(plan(agent.run, v1, v2));
    expect(result.stateChanges).toEqual([
      { path: "state.files_done", after: 0 },
      { path: "state.processed_count", before: 0 },
    ]);
    const item0 = result.positions.find((position) => position.thread_id === "process_file.item0");
    expect(item0).toMatchObject({
      from_step_id: "get_hints",
      step_id: "get_hints",
      list: [
        "sub_agent_tasks",
        "process_file",
        "steps",
        "standards_enforcement_loop",
        "body",
        "get_hints_step",
        "then_steps",
      ],
    });
    expect(result.positions.find((position) => position.thread_id === "main")).toMatchObject({
      step_id: "process_files_parallel",
    });
    // the migrated run goes on under 1.1.0
    const migrated = new ScriptedAgent(v2, evaluator);
    migrated.run = result.run;
    migrated.complete("get_hints", { success: true }, "process_file.item0");
    expect(migrated.steps("process_file.item0").length).toBeGreaterThan(0);
  });
});
