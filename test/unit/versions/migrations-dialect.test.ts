/**
 * The `migrations:` block as the loader reads it: the string form still loads, the object form
 * takes declarative operations and a script, and what a file already shows to be broken (a bad
 * range, a script that is not one expression, a malformed path, a script that does not compile)
 * is a diagnostic at load or publish, with its line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadWorkflow, publishProblems } from "../../../engine/loader/index.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function workflow(migrations: string): string {
  return `name: "test:migrations"
description: "Migrations"
version: "2.0.0"
migrations:
${migrations}
steps:
  - id: "hello"
    type: "user_message"
    message: "hi"
`;
}

function loadErrors(yaml: string): { code: string; path?: string; line?: number }[] {
  const result = loadWorkflow(yaml);
  return result.ok ? [] : result.errors.map(({ code, path, line }) => ({ code, path, line }));
}

describe("migrations:", () => {
  it("loads the string form and the object form with operations and a script", () => {
    const result = loadWorkflow(
      workflow(`  - "v1 runs keep going"
  - from: "^1.0.0"
    to: "2.0.0"
    description: "counter is count"
    operations:
      - rename: { from: "counter", to: "count" }
      - move: { from: "a.b", to: "c.d" }
      - set_default: { path: "limits.max", value: 10 }
      - delete: "scratch"
    script: "{{ ({ ...state, counter: undefined }) }}"
  - from: "1.x"
    to: "2.0.0"`),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.migrations).toEqual([
      "v1 runs keep going",
      {
        from: "^1.0.0",
        to: "2.0.0",
        description: "counter is count",
        operations: [
          { rename: { from: "counter", to: "count" } },
          { move: { from: "a.b", to: "c.d" } },
          { set_default: { path: "limits.max", value: 10 } },
          { delete: "scratch" },
        ],
        script: "{{ ({ ...state, counter: undefined }) }}",
      },
      { from: "1.x", to: "2.0.0" },
    ]);
  });

  it.each([
    [
      "a from that is not a range",
      '  - { from: "one", to: "2.0.0" }',
      "migrate.bad_range",
      "migrations[0].from",
    ],
    ["a to that is not a version", '  - { from: "^1", to: "2.x" }', "migrate.bad_range", "migrations[0].to"],
    [
      "a to above the file's own version",
      '  - { from: "^1", to: "3.0.0" }',
      "migrate.bad_range",
      "migrations[0].to",
    ],
    [
      "a script that is not one expression",
      '  - { from: "^1", to: "2.0.0", script: "state.count = 1" }',
      "migrate.bad_script",
      "migrations[0].script",
    ],
    [
      "a script with text around its expression",
      '  - { from: "^1", to: "2.0.0", script: "x {{ state }}" }',
      "migrate.bad_script",
      "migrations[0].script",
    ],
    [
      "a rename to a path",
      '  - { from: "^1", to: "2.0.0", operations: [{ rename: { from: "a", to: "b.c" } }] }',
      "migrate.bad_operation",
      "migrations[0].operations[0].rename.to",
    ],
    [
      "a path through __proto__",
      '  - { from: "^1", to: "2.0.0", operations: [{ delete: "__proto__.x" }] }',
      "migrate.bad_operation",
      "migrations[0].operations[0].delete",
    ],
  ])("refuses %s at load", (_what, migrations, code, path) => {
    expect(loadErrors(workflow(migrations))).toEqual([{ code, path, line: 5 }]);
  });

  it("refuses an unknown operation and a migration without from", () => {
    const codes = loadErrors(
      workflow('  - { from: "^1", to: "2.0.0", operations: [{ copy: "a" }] }\n  - { to: "2.0.0" }'),
    );
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((error) => error.code.startsWith("loader."))).toBe(true);
  });

  it("compiles scripts at publish like every other expression", () => {
    const yaml = workflow('  - from: "^1"\n    to: "2.0.0"\n    script: "{{ state +* 1 }}"');
    const loaded = loadWorkflow(yaml);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const problems = publishProblems(yaml, loaded.definition, evaluator);
    expect(problems.map(({ code, path, line }) => ({ code, path, line }))).toEqual([
      { code: "expression.syntax", path: "migrations[0].script", line: 7 },
    ]);
  });
});
