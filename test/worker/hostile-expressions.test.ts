/**
 * Expressions that try to escape the QuickJS sandbox, reach host globals or prototypes, exhaust
 * memory or never end (`while(true){}`, `(()=>{for(;;){}})()`, catastrophic regexes, ...), in
 * every place the dialect evaluates one: a computed transform and a computed `from` template, a
 * condition, a template, a state value, a while_loop condition, a foreach's items, a dependency
 * task's condition, a trigger's filter and inputs_mapping. Each is validated, published (those
 * that do not compile are refused there), started and driven (and, for triggers, fired by a
 * posted event). Never a 5xx, never a hang, stable codes, nothing logged as unexpected,
 * prototypes intact, and the tenant's DOs answer normally afterwards. Three more families (issue 9):
 * texts that try to close the wrapper function and run or declare something at global level
 * (refused, and nothing they declare is visible to a later check, of this tenant or another), and
 * deep native recursion (`JSON.parse` of 300,000 brackets and its kin: a coded error, and the
 * isolate's sandboxes keep working), with results past the 1 MiB cap; and built-ins that loop
 * natively over huge array-likes (`[].includes.call({length: 3e8}, 1)`: a budget error, not a
 * blocked isolate) or hand out an intrinsic only by being called (`Iterator.concat`'s prototype:
 * frozen, so nothing planted there reaches a later evaluation).
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { postEvent } from "./support/events.ts";
import { ESCAPE_EXPRESSIONS } from "./support/hostile-arbitraries.ts";
import { STABLE_CODE } from "./support/hostile-harness.ts";
import { expectStillServing, hostileSuite } from "./support/hostile-suite.ts";

const suite = hostileSuite({ suite: "expressions", minimum: 1_200, tenantPrefix: "hostile-expr" });
const { harness, tenant } = suite;

async function tool(name: string, args: unknown): Promise<Record<string, unknown>> {
  return (await suite.tool("expression", name, args)).structured;
}

/** One event type per expression, so each event reaches only its own trigger. */
function eventTypeOf(code: string): string {
  let hash = 7;
  for (const char of code) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hostile.${hash.toString(16)}`;
}

/** Where an expression runs, as the YAML that puts `code` there. */
const PLACES: Record<string, (code: string) => string> = {
  transform: (code) =>
    `state_schema:\n  computed:\n    y:\n      from: "this.x"\n      transform: ${JSON.stringify(code)}\n      on_error: propagate\n`,
  condition: (code) =>
    `steps:\n  - id: "c"\n    type: "conditional"\n    condition: ${JSON.stringify(`{{ ${code} }}`)}\n    then_steps:\n      - {id: "t", type: "user_message", message: "then"}\n`,
  template: (code) =>
    `steps:\n  - id: "m"\n    type: "user_message"\n    message: ${JSON.stringify(`value: {{ ${code} }}`)}\n`,
  state_value: (code) =>
    `steps:\n  - id: "s"\n    type: "set_state"\n    state_update: {path: "this.x", value: ${JSON.stringify(`{{ ${code} }}`)}}\n`,
  while_loop: (code) =>
    `steps:\n  - id: "w"\n    type: "while_loop"\n    condition: ${JSON.stringify(`{{ ${code} }}`)}\n    max_iterations: 3\n    body:\n      - {id: "b", type: "user_message", message: "loop"}\n`,
  computed_from: (code) =>
    `state_schema:\n  computed:\n    y:\n      from: ${JSON.stringify(`{{ ${code} }}`)}\n      transform: "input"\n      on_error: propagate\n`,
  foreach_items: (code) =>
    `steps:\n  - id: "f"\n    type: "foreach"\n    items: ${JSON.stringify(`{{ ${code} }}`)}\n    body:\n      - {id: "b", type: "user_message", message: "{{ item }}"}\n`,
  dependency_condition: (code) =>
    `steps:\n  - {id: "g", type: "dependency_flow"}\ndependencies:\n  first: []\n  second: [first, {condition: ${JSON.stringify(`{{ ${code} }}`)}}]\n`,
  trigger: (code) =>
    `triggers:\n  - type: event\n    event_type: "${eventTypeOf(code)}"\n    filter: ${JSON.stringify(code)}\n    inputs_mapping: {x: ${JSON.stringify(code)}}\n`,
};

/** Texts that close the wrapper, declare or run something at global level, and reopen it. */
const WRAPPER_ESCAPES = [
  "if(1){}/{/;}); let leak_a = 1; ;(function(){{return 1/1} ",
  "if(1){}/{/;}}}); var leak_b = 2; ;(function(){{{return 1/1} ",
  "}}); class leak_c {}; (function(){{{",
  "1); }}); const leak_d = 4; (function(){{ return (1",
  "if (x) { } /'/; this.constructor; '/",
  "x = {}/`/; leak_e = 5; `/",
  "typeof leak_a + typeof leak_b + typeof leak_c + typeof leak_d",
];

/** Deep native recursion, and results past the cap. */
const DEEP_AND_LARGE = [
  "JSON.parse('['.repeat(300000) + ']'.repeat(300000))",
  "(() => { let a = []; for (let i = 0; i < 300000; i++) a = [a]; return JSON.stringify(a).length })()",
  "(() => { let a = []; for (let i = 0; i < 300000; i++) a = [a]; return a })()",
  `${"[".repeat(100000)}${"]".repeat(100000)}`,
  "new RegExp('(?:'.repeat(300000) + 'a' + ')'.repeat(300000)).test('a')",
  "'x'.repeat(2 * 1024 * 1024)",
];

/** Built-ins that loop natively (no interrupt poll) over huge or sparse receivers, and an intrinsic reached only by calling. */
const NATIVE_LOOPS = [
  "[].includes.call({length: 3e8}, 1)",
  "new Array(2 ** 32 - 1).join('x')",
  "[new Array(2 ** 32 - 1)].flat()",
  "(() => { let n = 0; return [].indexOf.call({ get length() { return n++ ? 2 ** 53 - 1 : 0 } }, 1) })()",
  "(() => { Object.getPrototypeOf(Iterator.concat([])).planted = 1; return 1 })()",
];

/** Validates, publishes and (when published) starts and drives a workflow with `code` in `place`. */
async function tryIn(place: string, code: string, name: string): Promise<boolean> {
  const body = PLACES[place]!(code);
  const steps = body.startsWith("steps:")
    ? ""
    : 'steps:\n  - {id: "m", type: "user_message", message: "{{ this.y }}"}\n';
  const yaml = `name: "${name}"\ndescription: "x"\nversion: "1.0.0"\ninputs:\n  x: {type: "any", required: false}\ndefault_state:\n  state:\n    x: 1\n${body}${steps}`;
  const validated = await tool("workflow_validate", { yaml });
  for (const error of (validated.errors ?? []) as { code: string }[]) expect(error.code).toMatch(STABLE_CODE);
  const published = await tool("workflow_publish", { yaml });
  if (published.workflow === undefined) {
    // refused: only for what is wrong with the expression itself, and located in the file
    const errors = (published.errors ?? [published.error]) as { code: string; line?: number }[];
    for (const error of errors) {
      expect(error.code).toMatch(/^(expression|template)\./);
      expect(error.line).toBeGreaterThan(0);
    }
    return false;
  }
  const started = await tool("workflow_start", { workflow: name, inputs: { x: 2 } });
  const runId = started.workflow_id;
  if (typeof runId === "string") {
    await tool("workflow_get_next_step", { workflow_id: runId });
    await tool("workflow_get_next_step", { workflow_id: runId });
    await tool("workflow_get_status", { workflow_id: runId });
  }
  if (place === "trigger") {
    const posted = await postEvent(tenant.apiKey, { type: eventTypeOf(code), payload: { path: "a" } });
    harness.count("event");
    expect(posted.status).toBe(202);
  }
  return true;
}

describe("hostile expressions", () => {
  it.for(Object.keys(PLACES))("in a %s: refused at publish or stopped at run time", async (place) => {
    let ran = 0;
    for (const [index, code] of ESCAPE_EXPRESSIONS.entries()) {
      if (await tryIn(place, code, `escape:${place.replace("_", "-")}-${index}`)) ran += 1;
    }
    // most of the hostile expressions are valid JavaScript: they must reach a run here
    expect(ran).toBeGreaterThan(ESCAPE_EXPRESSIONS.length / 2);
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });

  it.for(Object.keys(PLACES))(
    "in a %s: wrapper escapes are refused at publish, deep recursion, native loops and huge results stopped",
    async (place) => {
      for (const [index, code] of WRAPPER_ESCAPES.slice(0, -1).entries()) {
        expect(await tryIn(place, code, `wrap:${place.replace("_", "-")}-${index}`)).toBe(false);
      }
      for (const [index, code] of DEEP_AND_LARGE.entries()) {
        await tryIn(place, code, `deep:${place.replace("_", "-")}-${index}`);
      }
      for (const [index, code] of NATIVE_LOOPS.entries()) {
        await tryIn(place, code, `native:${place.replace("_", "-")}-${index}`);
      }
      harness.expectPrototypesIntact();
      harness.expectQuietLog();
    },
  );

  it("nothing an escape attempt declares is seen by a later check, of this tenant or another", async () => {
    const other = await newTenant("hostile-expr-other");
    const verdicts: string[] = [];
    for (const apiKey of [tenant.apiKey, other.apiKey, tenant.apiKey]) {
      for (const code of WRAPPER_ESCAPES) {
        const yaml = `name: "wrap:verdict"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n  - id: "m"\n    type: "user_message"\n    message: ${JSON.stringify(`{{ ${code} }}`)}\n`;
        const answer = await callTool(apiKey, "workflow_validate", { yaml });
        harness.count("expression");
        verdicts.push(JSON.stringify(answer.structured.errors ?? []));
      }
    }
    const perTenant = WRAPPER_ESCAPES.length;
    expect(verdicts.slice(perTenant, 2 * perTenant)).toEqual(verdicts.slice(0, perTenant));
    expect(verdicts.slice(2 * perTenant)).toEqual(verdicts.slice(0, perTenant));
  });

  it("a run's evaluations never see each other's declarations", async () => {
    const yaml = `name: "wrap:isolated"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n  - {id: "a", type: "user_message", message: "{{ (() => { var leak_f = 1; return leak_f })() }}"}\n  - {id: "b", type: "user_message", message: "{{ typeof leak_f }}"}\n`;
    expect((await tool("workflow_publish", { yaml })).workflow).toBeDefined();
    const started = await tool("workflow_start", { workflow: "wrap:isolated" });
    const next = await tool("workflow_get_next_step", { workflow_id: started.workflow_id });
    expect(JSON.stringify(next)).toContain('"undefined"');
    expect(JSON.stringify(next)).not.toContain('"number"');
  });

  it("an intrinsic reached by calling a built-in carries nothing from one evaluation to the next", async () => {
    const plant =
      "(() => { try { Object.getPrototypeOf(Iterator.concat([])).planted = 'leak' } catch {} return 'tried' })()";
    const read = "Object.getPrototypeOf(Iterator.concat([])).planted ?? 'clean'";
    const yaml = `name: "native:isolated"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n  - {id: "a", type: "user_message", message: ${JSON.stringify(`{{ ${plant} }}`)}}\n  - {id: "b", type: "user_message", message: ${JSON.stringify(`{{ ${read} }}`)}}\n`;
    expect((await tool("workflow_publish", { yaml })).workflow).toBeDefined();
    const started = await tool("workflow_start", { workflow: "native:isolated" });
    const next = await tool("workflow_get_next_step", { workflow_id: started.workflow_id });
    expect(JSON.stringify(next)).toContain("clean");
    expect(JSON.stringify(next)).not.toContain("leak");
  });

  it("still serves normal work afterwards", () => expectStillServing(tenant.apiKey));
});
