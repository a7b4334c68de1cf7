/**
 * @module
 * `checkExpressions`: every expression that cannot compile becomes a diagnostic with its code,
 * path and line:column in the file; valid files (the AroMCP workflows, phase-5 ones included)
 * give none; what only fails at run time is left to the run; a sandbox that cannot check throws.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { MAX_EXPRESSION_LENGTH } from "../../../engine/expressions/source-analysis.ts";
import { checkExpressions, type Diagnostic, loadWorkflow } from "../../../engine/loader/index.ts";
import { AROMCP_FILES, AROMCP_PHASE5_FILES, fixtureText } from "./fixture-text.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function diagnosticsOf(yaml: string, using: Evaluator = evaluator): Diagnostic[] {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(`did not load: ${JSON.stringify(loaded.errors)}`);
  return checkExpressions(loaded.definition, yaml, using);
}

function placed(yaml: string): string[] {
  return diagnosticsOf(yaml).map((d) => `${d.line}:${d.column} ${d.code} ${d.path}`);
}

/** A minimal file around `steps`. */
function workflow(steps: string, more = ""): string {
  return `name: "test:inline"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n${steps}${more}`;
}

describe("checkExpressions", () => {
  it("reports every broken expression of a file, each at its line and column", () => {
    expect(placed(fixtureText("loader/expressions/broken.yaml"))).toEqual([
      "9:26 expression.syntax state_schema.computed.doubled.transform",
      "14:23 expression.syntax state_schema.computed.summary.transform",
      "18:32 expression.syntax steps[0].condition",
      "24:23 expression.forbidden steps[0].then_steps[0].message",
      "27:57 expression.syntax steps[1].state_update.value",
      "30:30 expression.syntax steps[2].condition",
      "34:24 template.unclosed steps[2].body[0].message",
      "37:14 expression.syntax steps[3].message",
      "46:25 expression.syntax triggers[0].filter",
      "48:23 expression.forbidden dependencies.a[0].condition",
    ]);
  });

  it("says which expression failed, and where inside it when the value's style hides the position", () => {
    const messages = diagnosticsOf(fixtureText("loader/expressions/broken.yaml")).map((d) => d.message);
    expect(messages).toContain("condition {{ this.count > }}: SyntaxError: unexpected end of input");
    expect(messages).toContain("{{ this.constructor }}: 'constructor' is not allowed in expressions");
    expect(messages).toContain(`filter "event.path.(": SyntaxError: '(' is never closed`);
    // a folded block (`>`) cannot be mapped character by character: the value's start, plus this
    expect(messages).toContain(
      "{{ this.a ) }}: SyntaxError: unexpected ')' (line 1, column 8 of the expression)",
    );
    for (const diagnostic of diagnosticsOf(fixtureText("loader/expressions/broken.yaml"))) {
      expect(diagnostic.severity).toBe("error");
    }
  });

  it("checks a phase-5 file after its upgrade, pointing into the file as written", () => {
    expect(placed(fixtureText("loader/expressions/broken-phase5.yaml"))).toEqual([
      "10:28 expression.syntax steps[0].condition",
      "13:34 expression.forbidden steps[0].then_steps[0].message",
      "17:27 expression.syntax steps[1].state_updates[0].value",
    ]);
  });

  it.each([
    ...AROMCP_FILES,
    ...AROMCP_PHASE5_FILES,
    "loader/valid/every-step.yaml",
    "loader/valid/event-driven.yaml",
    "loader/valid/seed-example.yaml",
    "loader/expressions/every-site.yaml",
  ])("finds nothing wrong in %s", (name) => {
    expect(diagnosticsOf(fixtureText(name))).toEqual([]);
  });

  it("names the entry of a dependency task's condition as the file writes it", () => {
    const yaml = workflow(
      "  - {id: go, type: dependency_flow}\n",
      [
        "dependencies:",
        '  short: [{priority: 1}, {condition: "ok"}, {condition: "{{ a + }}"}]',
        '  single: {when: "b )"}',
        '  listed: {when: ["ok", "c ]"]}',
        "",
      ].join("\n"),
    );
    expect(placed(yaml)).toEqual([
      "7:64 expression.syntax dependencies.short[2].condition",
      "8:21 expression.syntax dependencies.single.when",
      "9:28 expression.syntax dependencies.listed.when[1]",
    ]);
  });

  it("places a template after an escape at the value, with the position inside the expression", () => {
    const yaml = workflow(`  - id: m\n    type: user_message\n    message: 'it''s {{ 1 + }}'\n`);
    const [diagnostic] = diagnosticsOf(yaml);
    expect(diagnostic).toMatchObject({ code: "expression.syntax", line: 7, column: 14 });
    expect(diagnostic?.message).toBe(
      "{{ 1 + }}: SyntaxError: unexpected end of input (line 1 of the expression)",
    );
  });

  it("reports every broken template of a string, or the string when it is not a template at all", () => {
    const yaml = workflow(
      `  - id: m\n    type: user_message\n    message: "{{ a( }} ok {{ b.prototype }} {{ }}"\n`,
    );
    // the empty `{{ }}` makes the whole string unreadable as a template: that is the one problem
    expect(placed(yaml)).toEqual(["7:45 template.empty steps[0].message"]);
    const separate = workflow(
      `  - id: m\n    type: user_message\n    message: "{{ a( }} ok {{ b.prototype }}"\n`,
    );
    expect(placed(separate)).toEqual([
      "7:19 expression.syntax steps[0].message",
      "7:32 expression.forbidden steps[0].message",
    ]);
  });

  it("leaves what fails only at run time to the run", () => {
    const yaml = workflow(
      `  - id: m\n    type: user_message\n    message: "{{ nothing.here }} {{ (() => { for (;;) {} })() }} {{ 'x'.repeat(1e9) }}"\n`,
    );
    expect(diagnosticsOf(yaml)).toEqual([]);
  });

  it("checks each distinct expression once", () => {
    const seen: string[] = [];
    const counting: Evaluator = {
      evaluate: () => undefined,
      check: (source) => {
        seen.push(source);
      },
      ready: async () => {},
      pollsUsed: 0,
      dispose() {},
    };
    diagnosticsOf(
      workflow(`  - {id: a, type: user_message, message: "{{ x + 1 }} {{ x + 1 }}", when: "x + 1"}\n`),
      counting,
    );
    expect(seen).toEqual(["x + 1"]);
  });

  it("drops failures of the check itself, and throws when the sandbox cannot check at all", () => {
    const failing = (error: EngineError): Evaluator => ({
      evaluate: () => undefined,
      check: () => {
        throw error;
      },
      ready: async () => {},
      pollsUsed: 0,
      dispose() {},
    });
    const yaml = workflow(`  - {id: a, type: user_message, message: "{{ x + 1 }}"}\n`);
    for (const code of [
      "expression.memory_exceeded",
      "expression.budget_exceeded",
      "expression.runtime",
    ] as const) {
      expect(diagnosticsOf(yaml, failing(new EngineError(code, "no")))).toEqual([]);
    }
    const broken = new EngineError("expression.runtime", "the module failed", { retryable: true });
    expect(() => diagnosticsOf(yaml, failing(broken))).toThrow(broken);
    expect(() => diagnosticsOf(yaml, failing(new EngineError("expression.disposed", "gone")))).toThrow(
      "gone",
    );
  });

  it("refuses an expression longer than MAX_EXPRESSION_LENGTH, located, without compiling it", () => {
    const long = `{{ 1${" + 1".repeat(MAX_EXPRESSION_LENGTH / 4)} }}`;
    const steps = `  - id: "s"\n    type: "set_state"\n    state_update: {path: "this.x", value: "${long}"}\n`;
    const before = evaluator.pollsUsed;
    expect(placed(workflow(steps, "default_state:\n  state:\n    x: 0\n"))).toEqual([
      expect.stringMatching(/^7:\d+ expression.too_long steps\[0\]\.state_update\.value$/),
    ]);
    expect(evaluator.pollsUsed).toBe(before);
  });

  it("stops compiling a file whose expressions together take more than PUBLISH_CHECK_POLLS", () => {
    // each about 4 KiB of declarations: several polls to compile, nothing that a run could avoid
    const heavy = (index: number) =>
      `{{ (() => { let ${Array.from({ length: 580 }, (_, i) => `v${i}=${index}`).join(",")}; return 1 })() }}`;
    const steps = Array.from(
      { length: 30 },
      (_, index) =>
        `  - id: "s${index}"\n    type: "set_state"\n    state_update: {path: "this.x", value: "${heavy(index)}"}\n`,
    ).join("");
    const codes = diagnosticsOf(workflow(steps, "default_state:\n  state:\n    x: 0\n")).map((d) => d.code);
    expect(codes).toEqual(["expression.too_complex"]);
    // the same expressions, few enough, pass
    const few = steps.split("  - id:").slice(0, 2).join("  - id:");
    expect(diagnosticsOf(workflow(few, "default_state:\n  state:\n    x: 0\n"))).toEqual([]);
  });
});
