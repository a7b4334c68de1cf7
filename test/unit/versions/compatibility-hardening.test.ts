/**
 * The compatibility rules hardened after the issue-13 attacks: canonical versions only, the
 * effective type of an input (`inputs` and `state_schema.inputs`), input validation changes, the
 * version above one going in between, and bounded `deprecated_features` / `breaking_changes`.
 */
import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { compareDefinitions } from "../../../engine/versions/compatibility.ts";
import {
  deprecatedFeatures,
  describeDeprecation,
} from "../../../engine/versions/compatibility-deprecations.ts";
import { nextPublishedVersion, refusedAbove } from "../../../engine/versions/compatibility-rule.ts";

const file = (version: string, input: string, extra = "") => `name: "hard:flow"
description: "hardening"
version: "${version}"
inputs:
  tag: ${input}
${extra}steps:
  - { id: draft, type: user_message, message: "hi" }
`;

function load(yaml: string): WorkflowDefinition {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.definition;
}

function codesOf(yaml: string): string[] {
  const loaded = loadWorkflow(yaml);
  return loaded.ok ? [] : loaded.errors.map((error) => error.code);
}

const kinds = (previous: WorkflowDefinition, next: WorkflowDefinition) =>
  compareDefinitions(previous, next).map(({ kind, breaking }) => ({ kind, breaking }));

describe("version spelling", () => {
  for (const version of ["1.0.0+evil", "v1.0.0", "=1.0.0", " 1.0.0", "1.0.0-rc.1+build"]) {
    it(`"${version}" is loader.bad_version`, () => {
      expect(codesOf(file(version, "string"))).toContain("loader.bad_version");
    });
  }
  for (const version of ["1.0.0", "2.0.0-rc.1", "0.3.10"]) {
    it(`"${version}" loads`, () => {
      expect(codesOf(file(version, "string"))).toEqual([]);
    });
  }
});

describe("input types and validation", () => {
  const plain = load(file("1.0.0", "{ type: string, required: false }"));

  it("a type added through state_schema.inputs is a breaking retype; dropping it again is not", () => {
    const narrowed = load(
      file("1.1.0", "{ type: string, required: false }", "state_schema:\n  inputs: { tag: number }\n"),
    );
    expect(kinds(plain, narrowed)).toEqual([{ kind: "input_retyped", breaking: true }]);
    expect(kinds(narrowed, plain)).toEqual([{ kind: "input_retyped", breaking: false }]);
  });

  it("the same type declared in both places is no change", () => {
    const both = load(
      file("1.1.0", "{ type: string, required: false }", "state_schema:\n  inputs: { tag: string }\n"),
    );
    expect(kinds(plain, both)).toEqual([]);
  });

  it("a new or changed validation is breaking; a removed one or a new error_message is not", () => {
    const enumOne = load(file("1.1.0", '{ type: string, required: false, validation: { enum: ["a"] } }'));
    const enumTwo = load(
      file("1.2.0", '{ type: string, required: false, validation: { enum: ["a", "b"] } }'),
    );
    const worded = load(
      file(
        "1.1.0",
        '{ type: string, required: false, validation: { enum: ["a"], error_message: "pick a" } }',
      ),
    );
    expect(kinds(plain, enumOne)).toEqual([{ kind: "input_validation_changed", breaking: true }]);
    expect(kinds(enumOne, enumTwo)).toEqual([{ kind: "input_validation_changed", breaking: true }]);
    expect(kinds(enumOne, plain)).toEqual([]);
    expect(kinds(enumOne, worded)).toEqual([]);
  });
});

describe("a version going in between", () => {
  it("is compared with the lowest published version above it", () => {
    expect(nextPublishedVersion(["2.0.0", "1.2.0", "1.0.0"], "1.1.0")).toBe("1.2.0");
    expect(nextPublishedVersion(["1.0.0"], "1.1.0")).toBeUndefined();
    const middle = load(file("1.1.0", "{ type: string, required: false }"));
    const above = load(file("1.2.0", "{ type: string }"));
    expect(refusedAbove(middle, above).map((change) => change.kind)).toEqual(["input_now_required"]);
    const major = load(file("2.0.0", "{ type: string }"));
    expect(refusedAbove(middle, major)).toEqual([]);
  });
});

describe("deprecated_features and breaking_changes bounds", () => {
  it("entries are trimmed, and quoted trimmed", () => {
    const padded = load(
      file("1.0.0", "string", `deprecated_features:\n  - "inputs.tag${" ".repeat(5000)}"\n`),
    );
    const [feature] = deprecatedFeatures(padded);
    expect(feature!.entry).toBe("inputs.tag");
    expect(describeDeprecation(feature!).length).toBeLessThan(100);
  });

  it("an entry longer than 200 characters, or more than 100 entries, is refused", () => {
    for (const key of ["deprecated_features", "breaking_changes"]) {
      expect(codesOf(file("1.0.0", "string", `${key}:\n  - "${"x".repeat(201)}"\n`))).toContain(
        "loader.invalid_value",
      );
      const many = Array.from({ length: 101 }, (_, index) => `  - "entry ${index}"\n`).join("");
      expect(codesOf(file("1.0.0", "string", `${key}:\n${many}`)).length).toBeGreaterThan(0);
    }
  });
});
