/**
 * @module
 * The phase-6 plan's own example workflow loads as written (test/fixtures/loader/valid/seed-example.yaml).
 */
import { expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { fixtureText } from "./fixture-text.ts";

it("loads the seed's advanced example, naming its id-less steps", () => {
  const result = loadWorkflow(fixtureText("loader/valid/seed-example.yaml"));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  expect(result.warnings.map((warning) => `${warning.line}:${warning.column} ${warning.code}`)).toEqual([
    "38:5 deprecated.missing_step_id",
  ]);
  const { steps, dependencies, triggers, external_state } = result.definition;
  expect(steps.map((step) => `${step.id}:${step.type}`)).toEqual([
    "step_0:dependency_flow",
    "step_1:external_call",
  ]);
  expect(dependencies?.deploy).toEqual({
    needs: ["build"],
    when: ["{{ all_checks_passed }}"],
    priority: 0,
    trigger_rule: "all_success",
  });
  expect(triggers).toHaveLength(3);
  expect(external_state?.backend).toBe("redis");
});
