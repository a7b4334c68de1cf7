/**
 * Expressions that try to escape the QuickJS sandbox, reach host globals or prototypes, exhaust
 * memory or never end (`while(true){}`, `(()=>{for(;;){}})()`, catastrophic regexes, ...), in
 * every place the dialect evaluates one: a computed transform and a computed `from` template, a
 * condition, a template, a state value, a while_loop condition, a foreach's items, a dependency
 * task's condition, a trigger's filter and inputs_mapping. Each is validated, published (those
 * that do not compile are refused there), started and driven (and, for triggers, fired by a
 * posted event). Never a 5xx, never a hang, stable codes, nothing logged as unexpected,
 * prototypes intact, and the tenant's DOs answer normally afterwards.
 */
import { describe, expect, it } from "vitest";
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

describe("hostile expressions", () => {
  it.for(Object.keys(PLACES))("in a %s: refused at publish or stopped at run time", async (place) => {
    let ran = 0;
    for (const [index, code] of ESCAPE_EXPRESSIONS.entries()) {
      const name = `escape:${place.replace("_", "-")}-${index}`;
      const body = PLACES[place]!(code);
      const steps = body.startsWith("steps:")
        ? ""
        : 'steps:\n  - {id: "m", type: "user_message", message: "{{ this.y }}"}\n';
      const yaml = `name: "${name}"\ndescription: "x"\nversion: "1.0.0"\ninputs:\n  x: {type: "any", required: false}\ndefault_state:\n  state:\n    x: 1\n${body}${steps}`;
      const validated = await tool("workflow_validate", { yaml });
      for (const error of (validated.errors ?? []) as { code: string }[])
        expect(error.code).toMatch(STABLE_CODE);
      const published = await tool("workflow_publish", { yaml });
      if (published.workflow === undefined) {
        // refused: only for what is wrong with the expression itself, and located in the file
        const errors = (published.errors ?? [published.error]) as { code: string; line?: number }[];
        for (const error of errors) {
          expect(error.code).toMatch(/^(expression|template)\./);
          expect(error.line).toBeGreaterThan(0);
        }
        continue;
      }
      ran += 1;
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
    }
    // most of the hostile expressions are valid JavaScript: they must reach a run here
    expect(ran).toBeGreaterThan(ESCAPE_EXPRESSIONS.length / 2);
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });

  it("still serves normal work afterwards", () => expectStillServing(tenant.apiKey));
});
