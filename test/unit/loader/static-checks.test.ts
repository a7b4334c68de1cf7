/**
 * @module
 * The static checks (`staticChecks`, engine/loader/static-checks.ts), one table per check, on
 * AroMCP-shaped steps: each finding with its line:column, code and severity, and the look-alikes
 * that must pass (a name the expression binds itself, an object key, a loop that can end).
 */
import { describe, expect, it } from "vitest";
import { expressionNames } from "../../../engine/loader/checks/expression-names.ts";
import { loadWorkflow, staticChecks } from "../../../engine/loader/index.ts";

function findings(yaml: string, secretNames?: readonly string[]): string[] {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const options = secretNames === undefined ? {} : { secretNames: new Set(secretNames) };
  return staticChecks(loaded.definition, yaml, options).map(
    (finding) => `${finding.line}:${finding.column} ${finding.severity} ${finding.code}`,
  );
}

function messages(yaml: string, secretNames?: readonly string[]): string[] {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const options = secretNames === undefined ? {} : { secretNames: new Set(secretNames) };
  return staticChecks(loaded.definition, yaml, options).map((finding) => finding.message);
}

const HEAD = 'name: "test:checks"\ndescription: "x"\nversion: "1.0.0"\n';

describe("expression names", () => {
  it("are the free reads: locals, parameters, object keys and built-ins are left out", () => {
    const names = expressionNames(
      "files.filter(f => f.ok).map(({path, size}) => ({name: path, size, total})).length + Math.max(count, 0)",
    );
    expect(names.bare.map((read) => read.name)).toEqual(["files", "total", "count"]);
    expect(names.readsClock).toBe(true);
    const scoped = expressionNames("this.a + state['b'] + inputs?.c + loop.item + this[x]");
    expect(scoped.scoped.map((read) => `${read.root}.${read.field}`)).toEqual([
      "this.a",
      "state.b",
      "inputs.c",
      "loop.item",
      "this.undefined",
    ]);
    expect(expressionNames("const total = 1; for (const f of list) {} return total + f").bare).toEqual([
      { name: "list", offset: 33 },
    ]);
    const declared =
      "(() => { let i = 0; const s = 'x'.repeat(4), t = f(a, b), [u, v] = w; return s + t + u + v + i })()";
    expect(expressionNames(declared).bare.map((read) => read.name)).toEqual(["f", "a", "b", "w"]);
  });
});

describe("check.unresolved_name", () => {
  it("warns at the name when nothing declares or writes it, with a close match", () => {
    const yaml = `${HEAD}default_state:
  state:
    all_passed: false
    counter: 0
steps:
  - id: report
    type: user_message
    message: "{{ all_checks_passed ? 'ok' : 'no' }} {{ this.all_pased }} {{ inputs.verbose }} {{ counter }}"
`;
    expect(findings(yaml)).toEqual([
      "11:18 warning check.unresolved_name",
      "11:56 warning check.unresolved_name",
      "11:77 warning check.unresolved_name",
    ]);
    const [bare, scoped, input] = messages(yaml);
    expect(bare).toContain('"all_checks_passed" is declared nowhere in the file');
    expect(scoped).toContain("did you mean `this.all_passed`?");
    expect(input).toContain("inputs.verbose is not an input");
  });

  it("passes names written by any step, declared in a sub-agent task, bound by a foreach or by the result", () => {
    const yaml = `${HEAD}inputs:
  files: {type: array}
steps:
  - id: scan
    type: mcp_call
    tool: lint
    store_result: this.lint_output
    state_update: {path: this.issue_count, value: "{{ data.issues.length }}"}
  - id: each
    type: foreach
    items: "{{ inputs.files }}"
    variable_name: file
    body:
      - id: show
        type: user_message
        message: "{{ file }} {{ loop.index }} {{ this.lint_output.data }} {{ issue_count }} {{ task_total }}"
  - id: fan
    type: parallel_foreach
    items: "{{ files }}"
    sub_agent_task: fix
sub_agent_tasks:
  fix:
    description: "x"
    default_state: {state: {task_total: 0}}
    prompt_template: "{{ item }} {{ task_id }}"
triggers:
  - type: file_change
    pattern: "**/*.ts"
    filter: "!path.includes('test')"
`;
    expect(findings(yaml)).toEqual([]);
  });

  it("checks a computed field's from paths, scope and first field only", () => {
    const yaml = `${HEAD}default_state:
  state: {results: {}}
state_schema:
  computed:
    first_file: {from: "this.results.file-1", transform: "input"}
    issue_total: {from: ["this.results", "this.isues"], transform: "input.length"}
steps:
  - {id: show, type: user_message, message: "{{ first_file }} {{ issue_total }}"}
`;
    expect(findings(yaml)).toEqual(["9:43 warning check.unresolved_name"]);
  });

  it("checks config.*, tasks.* and loop.* fields against the file", () => {
    const yaml = `${HEAD}config: {deep: true}
dependencies:
  build: []
  deploy:
    needs: [build]
    when: "{{ config.deep_check && tasks.biuld }}"
steps:
  - id: flow
    type: dependency_flow
    graph: "{{ dependencies }}"
`;
    expect(findings(yaml)).toEqual([
      "9:15 warning check.unresolved_name",
      "9:36 warning check.unresolved_name",
    ]);
    expect(messages(yaml)[1]).toContain("did you mean `tasks.build`?");
  });
});

describe("check.loop_outside_loop", () => {
  it("warns for loop.* outside any loop and loop.item in a while_loop; passes it inside the loop and in computed fields", () => {
    const yaml = `${HEAD}inputs:
  files: {type: array}
state_schema:
  computed:
    attempt: {from: "loop.iteration", transform: "input"}
steps:
  - id: retry
    type: while_loop
    condition: "{{ loop.iteration <= 3 }}"
    body:
      - id: attempt_message
        type: user_message
        message: "attempt {{ loop.iteration }} on {{ loop.item }}"
  - id: each
    type: foreach
    items: "{{ inputs.files }}"
    body:
      - {id: per_file, type: user_message, message: "{{ loop.item }} {{ loop.index }} {{ loop.iteration }}"}
  - id: summary
    type: user_message
    message: "fixed in {{ loop.iteration }} attempts"
`;
    expect(findings(yaml)).toEqual([
      "16:54 warning check.loop_outside_loop",
      "24:27 warning check.loop_outside_loop",
    ]);
    expect(messages(yaml)[1]).toContain("outside any while_loop or foreach body");
  });
});

describe("check.loop_condition_constant", () => {
  const loop = (condition: string, body: string) => `${HEAD}default_state:
  state: {done: false, attempts: 0}
state_schema:
  computed:
    finished: {from: ["this.done", "this.attempts"], transform: "input[0] || input[1] > 3"}
steps:
  - id: poll
    type: while_loop
    condition: "${condition}"
    max_iterations: 20
    body:
${body}`;
  const increment =
    "      - {id: count, type: set_state, state_update: {path: this.attempts, operation: increment}}\n";
  const message = '      - {id: note, type: user_message, message: "waiting"}\n';

  it("is a warning, not an error, when only server steps run and none writes what the condition reads", () => {
    // a long server-only loop yields between work slices, where a workflow_state_update can land
    const yaml = loop("{{ !this.done }}", increment);
    expect(findings(yaml)).toEqual(["12:17 warning check.loop_condition_constant"]);
    expect(messages(yaml)[0]).toContain("reads `done` and no step of its body writes it");
    expect(messages(yaml)[0]).toContain("between two work slices");
  });

  it("is a warning for a literal condition (a count of max_iterations passes) and when the body pauses", () => {
    expect(findings(loop("true", increment))).toEqual(["12:17 warning check.loop_condition_constant"]);
    expect(findings(loop("{{ !this.done }}", message))).toEqual([
      "12:17 warning check.loop_condition_constant",
    ]);
  });

  it("passes a condition whose computed field reads what the body writes, loop.iteration, or a body with a break", () => {
    expect(findings(loop("{{ !finished }}", increment))).toEqual([]);
    expect(findings(loop("{{ loop.iteration < 5 }}", message))).toEqual([]);
    const breaking = `${message}      - {id: stop, type: break, when: "{{ this.done }}"}\n`;
    expect(findings(loop("true", breaking))).toEqual([]);
  });
});

describe("check.unreachable_step", () => {
  it("warns for steps after a break, a branch behind a literal condition, when: false and an unused task", () => {
    const yaml = `${HEAD}steps:
  - id: loop
    type: while_loop
    condition: "{{ loop.iteration < 3 }}"
    body:
      - {id: stop, type: break}
      - {id: after_stop, type: user_message, message: "never"}
  - id: branch
    type: conditional
    condition: "false"
    then_steps:
      - {id: dead, type: user_message, message: "never"}
    else_steps:
      - {id: live, type: user_message, message: "always"}
  - {id: off, type: user_message, message: "never", when: "{{ false }}"}
sub_agent_tasks:
  orphan:
    description: "x"
    prompt_template: "do it"
`;
    expect(findings(yaml)).toEqual([
      "10:9 warning check.unreachable_step",
      "15:9 warning check.unreachable_step",
      "18:60 warning check.unreachable_step",
      "21:5 warning check.unreachable_step",
    ]);
  });
});

describe("check.missing_secret", () => {
  const yaml = `${HEAD}triggers:
  - type: webhook
    endpoint: /hooks/github
    secret: ["{{ env.GH_SECRET }}", "{{ env.GH_SECRET_OLD }}"]
services:
  api:
    uses: "http@^1"
    config: {token: "Bearer {{ env.API_TOKEN }}"}
steps:
  - id: call
    type: external_call
    service: api
    method: get
    auth: {type: bearer, token: "{{ env.DEPLOY_TOKEN }}"}
`;

  it("names each secret the tenant has not set, at its {{, with what needs it", () => {
    expect(findings(yaml, ["GH_SECRET_OLD"])).toEqual([
      "7:15 warning check.missing_secret",
      "11:29 warning check.missing_secret",
      "17:34 warning check.missing_secret",
    ]);
    const [webhook, service, call] = messages(yaml, ["GH_SECRET_OLD"]);
    expect(webhook).toContain('the webhook trigger "/hooks/github" needs the secret GH_SECRET');
    expect(webhook).toContain("PUT /admin/tenants/<tenant>/secrets/GH_SECRET");
    expect(service).toContain('the service "api" needs the secret API_TOKEN');
    expect(call).toContain('the external_call "call" needs the secret DEPLOY_TOKEN');
  });

  it("is not looked up without the tenant's names, and not reported once they are set", () => {
    expect(findings(yaml)).toEqual([]);
    expect(findings(yaml, ["GH_SECRET", "GH_SECRET_OLD", "API_TOKEN", "DEPLOY_TOKEN"])).toEqual([]);
  });
});
