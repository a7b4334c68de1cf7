/** Proves every expression, transform and template of the AroMCP reference workflows evaluates as intended. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { renderDeep, renderTemplate } from "../../../engine/expressions/template.ts";
import { expressionFixtures, templateFixtures, transformFixtures } from "./reference-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("computed transforms", () => {
  it.each(transformFixtures)("$from", ({ source, bindings, expected }) => {
    expect(evaluator.evaluate(source, bindings)).toEqual(expected);
  });
});

describe("bare expressions", () => {
  it.each(expressionFixtures)("$from", ({ source, bindings, expected }) => {
    expect(evaluator.evaluate(source, bindings)).toEqual(expected);
  });
});

describe("templates", () => {
  it.each(templateFixtures)("$from", ({ text, bindings, expected }) => {
    expect(renderTemplate(text, (source) => evaluator.evaluate(source, bindings))).toEqual(expected);
  });

  it("renders step parameters deeply (code-standards-enforce get_hints)", () => {
    const parameters = { file_paths: ["{{ inputs.file_path }}"], use_eslint_standards: true };
    const bindings = { inputs: { file_path: "src/view.tsx" } };
    expect(renderDeep(parameters, (source) => evaluator.evaluate(source, bindings))).toEqual({
      file_paths: ["src/view.tsx"],
      use_eslint_standards: true,
    });
  });
});
