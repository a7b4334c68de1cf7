/**
 * Migration scripts are deterministic (issue 13: the dry run's predicted state is the applied
 * state): `Date`, `performance` and `Math.random` are not there, however the script reaches for
 * them, while the rest of `Math` and the script's bindings work as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { deterministicScriptSource } from "../../../engine/versions/deterministic-script.ts";
import { runMigrations } from "../../../engine/versions/run-migrations.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const migrate = (script: string) =>
  runMigrations({
    migrations: [{ from: "1.x", to: "2.0.0", script }],
    state: { count: 2.6 },
    globals: { base: 10 },
    fromVersion: "1.0.0",
    toVersion: "2.0.0",
    evaluator,
  });

describe("deterministic migration scripts", () => {
  it.each([
    "{{ ({ ...state, token: Math.random() }) }}",
    '{{ ({ ...state, token: Math["ran" + "dom"]() }) }}',
    "{{ ({ ...state, token: Date.now() }) }}",
    "{{ ({ ...state, token: new Date().toISOString() }) }}",
    "{{ ({ ...state, token: performance.now() }) }}",
  ])("refuses %s with a coded problem, every time", (script) => {
    const first = migrate(script);
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.problems[0]?.code).toBe("migrate.script_failed");
    expect(first.problems[0]?.message).toContain("no Date, performance or Math.random");
    expect(migrate(script)).toEqual(first);
  });

  it("does not compile a script that closes the shadowing function to reach the real built-ins", () => {
    // the template parser already refuses these brackets; the wrapper's label proves it again
    // for any text the template's tokenizer and QuickJS might read differently
    const breakOut = "1); } }), ((x) => { { return ({ token: Math.random() }";
    expect(() => evaluator.evaluate(deterministicScriptSource(breakOut), {})).toThrow(
      expect.objectContaining({ code: "expression.syntax" }),
    );
  });

  it("keeps the rest of Math, the bindings and the result as before", () => {
    const outcome = migrate(
      "{{ ({ ...state, count: Math.round(state.count) + globals.base, max: Math.max(1, 3), from: from_version, to: to_version, PI: Math.PI }) }}",
    );
    expect(outcome).toMatchObject({
      ok: true,
      state: { count: 13, max: 3, from: "1.0.0", to: "2.0.0", PI: Math.PI },
    });
  });

  it("leaves other expressions their Date and Math.random", () => {
    expect(typeof evaluator.evaluate("Date.now()", {})).toBe("number");
    expect(typeof evaluator.evaluate("Math.random()", {})).toBe("number");
  });
});
