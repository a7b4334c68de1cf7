/**
 * @module
 * Where a workflow may name a tenant secret, as `workflow_validate`, `workflow_publish` and
 * `edgeflow validate` judge it (`publishProblems`): `env` in any evaluated place is
 * `expression.env_not_allowed` at the name; capability fields take `{{ env.NAME }}` and literal
 * text, and anything else inside their `{{ }}` is `secret.invalid_reference` at its `{{`
 * (test/fixtures/loader/expressions/reads-env.yaml).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadWorkflow, publishProblems } from "../../../engine/loader/index.ts";
import { fixtureText } from "./fixture-text.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function problemsOf(yaml: string): string[] {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  // the static checks' warnings (check.*) are tested in static-checks.test.ts
  return publishProblems(yaml, loaded.definition, evaluator)
    .filter((problem) => !problem.code.startsWith("check."))
    .map((problem) => `${problem.line}:${problem.column} ${problem.code} ${problem.path}`);
}

const workflow = (steps: string, rest = "") =>
  `name: "t:env"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n${steps}${rest}`;

describe("env outside the capability fields", () => {
  it("is refused at the name in every evaluated place, and nowhere else", () => {
    expect(problemsOf(fixtureText("loader/expressions/reads-env.yaml"))).toEqual([
      "16:13 expression.env_not_allowed state_schema.computed.token_length.from",
      "20:19 expression.env_not_allowed state_schema.computed.spaced.transform",
      "24:52 expression.env_not_allowed steps[0].state_update.value",
      "27:36 expression.env_not_allowed steps[1].condition",
      "31:69 expression.env_not_allowed steps[1].then_steps[0].message",
      "42:31 expression.env_not_allowed triggers[0].inputs_mapping.region",
    ]);
  });

  it("says where a secret may be written", () => {
    const loaded = loadWorkflow(workflow('  - {id: m, type: user_message, message: "{{ env.X }}"}\n'));
    if (!loaded.ok) throw new Error("does not load");
    const [problem] = publishProblems(workflow(""), loaded.definition, evaluator);
    expect(problem?.message).toMatch(/webhook trigger's secret, external_call\.auth, external_state\.config/);
  });

  it("finds env however it is spelled, but not in strings, comments, member reads or regexes", () => {
    const refused = [
      "env",
      "env.A",
      "env['A']",
      "env?.A",
      "(env).A",
      "\\u0065nv.A",
      `\`\${env.A}\``,
      "[env][0].A",
      "{env}",
      "((e) => e)(env)",
    ];
    for (const source of refused) {
      const yaml = workflow(
        `  - {id: m, type: user_message, message: ${JSON.stringify(`{{ ${source} }}`)}}\n`,
      );
      expect(problemsOf(yaml), source).toEqual([expect.stringContaining("expression.env_not_allowed")]);
    }
    const allowed = [
      "'env'",
      '"env.A"',
      "this.env",
      "inputs.env",
      "event?.env",
      "/env/.test('x')",
      "1 /* env */",
      "`env`",
      "environment",
      "ENV",
    ];
    for (const source of allowed) {
      const yaml = workflow(
        `  - {id: m, type: user_message, message: ${JSON.stringify(`{{ ${source} }}`)}}\n`,
      );
      expect(problemsOf(yaml), source).toEqual([]);
    }
  });

  it("property: any transformation of a secret in any evaluated site is refused", () => {
    const sites = [
      (e: string) => workflow(`  - {id: m, type: user_message, message: ${JSON.stringify(`{{ ${e} }}`)}}\n`),
      (e: string) =>
        workflow(`  - {id: c, type: conditional, condition: ${JSON.stringify(e)}, then_steps: []}\n`),
      (e: string) =>
        workflow(
          `  - {id: s, type: set_state, state_update: {path: this.x, value: ${JSON.stringify(`{{ ${e} }}`)}}}\n`,
        ),
      (e: string) =>
        workflow(
          "  - {id: m, type: user_message, message: hi}\n",
          `state_schema:\n  computed:\n    c: {from: this.x, transform: ${JSON.stringify(e)}}\n`,
        ),
      (e: string) =>
        workflow(
          "  - {id: m, type: user_message, message: hi}\n",
          `triggers:\n  - {type: event, event_type: x, filter: ${JSON.stringify(e)}}\n`,
        ),
      (e: string) =>
        workflow(
          "  - {id: g, type: dependency_flow}\n",
          `dependencies:\n  a: [{condition: ${JSON.stringify(`{{ ${e} }}`)}}]\n`,
        ),
    ];
    const read = fc.constantFrom(
      "env.API_TOKEN",
      "env['API_TOKEN']",
      "env?.API_TOKEN",
      "Object.values(env)[0]",
    );
    const transform = fc.constantFrom(
      (x: string) => `${x}.split('').join(' ')`,
      (x: string) => `${x}.split('').reverse().join('')`,
      (x: string) => `Array.from(${x}, (c) => c.charCodeAt(0))`,
      (x: string) => `${x}.slice(2, 9)`,
      (x: string) => `[...${x}].map((c) => c.charCodeAt(0).toString(16)).join('')`,
      (x: string) => `JSON.stringify({ t: ${x} })`,
    );
    fc.assert(
      fc.property(fc.constantFrom(...sites), read, transform, (site, secret, wrap) => {
        const problems = problemsOf(site(wrap(secret)));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain("expression.env_not_allowed");
      }),
      { numRuns: 150 },
    );
  });
});

describe("capability fields", () => {
  const capabilities = (secret: string, token: string, url: string) =>
    workflow(
      `  - {id: call, type: external_call, service: api, method: get, auth: {type: bearer, token: ${JSON.stringify(token)}}}\n`,
      `triggers:\n  - {type: webhook, endpoint: /h, secret: ${JSON.stringify(secret)}}\nexternal_state:\n  backend: kv\n  config: {url: ${JSON.stringify(url)}}\n`,
    );

  it("take {{ env.NAME }}, alone, several, or inside literal text, and plain text", () => {
    expect(
      problemsOf(capabilities("{{ env.A }}", "Bearer {{env.B}}", "redis://{{ env.U }}:{{ env.P }}@h")),
    ).toEqual([]);
    expect(problemsOf(capabilities("a literal secret", "tok", "redis://h"))).toEqual([]);
  });

  it("refuse every other {{ }} at its position: no expression runs there", () => {
    expect(
      problemsOf(capabilities("{{ env.A.slice(1) }}", "Bearer {{ inputs.t }}", "x{{ env['P'] }}")),
    ).toEqual([
      "5:100 secret.invalid_reference steps[0].auth.token",
      "7:44 secret.invalid_reference triggers[0].secret",
      "10:19 secret.invalid_reference external_state.config.url",
    ]);
    expect(problemsOf(capabilities("{{ env.A", "t", "u"))).toEqual([
      "7:44 template.unclosed triggers[0].secret",
    ]);
  });
});
