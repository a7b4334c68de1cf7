/**
 * @module
 * Property: whatever text comes in (arbitrary strings, arbitrary JSON values dumped as YAML,
 * random edits of valid files), `loadWorkflow` never throws and answers either ok or at least
 * one error (never the catch-all `loader.internal_error`), every diagnostic with a dotted code and a 1-based position when it has one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type LoadResult, loadWorkflow } from "../../../engine/loader/index.ts";
import { mutatedText } from "../../support/text-edits.ts";
import { fixtureText } from "./fixture-text.ts";

function assertWellFormed(result: LoadResult): void {
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  const diagnostics = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  for (const diagnostic of diagnostics) {
    expect(diagnostic.code).toMatch(/^[a-z]+\.[a-z_]+$/);
    // the catch-all would hide a loader bug behind a clean result
    expect(diagnostic.code, diagnostic.message).not.toBe("loader.internal_error");
    expect(typeof diagnostic.message).toBe("string");
    if (diagnostic.line !== undefined) expect(diagnostic.line).toBeGreaterThanOrEqual(1);
    if (diagnostic.column !== undefined) expect(diagnostic.column).toBeGreaterThanOrEqual(1);
  }
}

const validFiles = [
  fixtureText("loader/valid/every-step.yaml"),
  fixtureText("loader/valid/event-driven.yaml"),
  fixtureText("loader/phase5/control-flow.yaml"),
  fixtureText("aromcp/code-standards-enforce.yaml"),
];

/** What the random edits insert besides random text: YAML's own punctuation. */
const YAML_PIECES = [
  ":",
  "- ",
  "  ",
  "\n",
  "{{",
  "}}",
  "&a ",
  "*a",
  "[",
  "]",
  "{",
  "}",
  "#",
  "'",
  '"',
  "type: ",
];

describe("loadWorkflow never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) =>
        assertWellFormed(loadWorkflow(text)),
      ),
      { numRuns: 400 },
    );
  });

  it("on arbitrary JSON values dumped as YAML", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => assertWellFormed(loadWorkflow(stringify(value)))),
      { numRuns: 300 },
    );
  });

  it("on workflow-shaped documents with random values", () => {
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom("this.x", "inputs.y", "{{ a }}", "1.0.0"),
    );
    const step = fc.dictionary(
      fc.constantFrom(
        "id",
        "type",
        "message",
        "body",
        "then_steps",
        "state_update",
        "items",
        "path",
        "steps",
        "then",
      ),
      fc.oneof(anyValue, fc.constantFrom("break", "while", "state_update", "foreach", "conditional")),
    );
    const document = fc.record(
      {
        name: anyValue,
        description: anyValue,
        version: anyValue,
        schema_version: fc.constantFrom(1, 2, 3, "1"),
        steps: fc.array(step, { maxLength: 5 }),
        default_state: fc.dictionary(fc.constantFrom("raw", "state", "inputs"), anyValue),
        state_schema: anyValue,
        sub_agent_tasks: anyValue,
        dependencies: anyValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(document, (value) => assertWellFormed(loadWorkflow(stringify(value)))),
      { numRuns: 400 },
    );
  });

  it("on random edits of valid files", () => {
    fc.assert(
      fc.property(mutatedText(validFiles, YAML_PIECES), (text) => assertWellFormed(loadWorkflow(text))),
      { numRuns: 300 },
    );
  });
});
