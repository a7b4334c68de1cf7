/**
 * @module
 * Failures inside unions read as the problem the author made: a typo inside the branch the value
 * was meant for, a bad enum value, or a value of no accepted kind.
 */
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const BASE = 'name: "a:b"\ndescription: d\nversion: "1.0.0"\nsteps:\n  - id: s\n    type: wait_step\n';

function firstError(extra: string): string {
  const result = loadWorkflow(BASE + extra);
  if (result.ok) throw new Error("loaded");
  const [error] = result.errors;
  return `${error?.line}:${error?.column} ${error?.code} ${error?.path}`;
}

describe("union findings", () => {
  it("reports an unknown key inside the object form of an input", () => {
    expect(firstError("inputs:\n  x: {type: string, bogus: 1}\n")).toBe(
      "8:21 loader.unknown_key inputs.x.bogus",
    );
  });
  it("reports a misspelt bare input type as a bad value", () => {
    expect(firstError("inputs:\n  x: strng\n")).toBe("8:6 loader.invalid_value inputs.x");
  });
  it("reports a value of no accepted kind as a bad type", () => {
    expect(firstError("migrations:\n  - 5\n")).toBe("8:5 loader.invalid_type migrations[0]");
  });
  it("reports an unknown trigger type with the valid ones", () => {
    const result = loadWorkflow(`${BASE}triggers:\n  - type: cron\n`);
    expect(!result.ok && result.errors[0]?.message).toBe(
      'unknown type "cron"; valid: webhook, schedule, file_change, event',
    );
  });
  it("reports a step missing its type as a missing field", () => {
    expect(firstError("sub_agent_tasks:\n  t:\n    description: d\n    steps:\n      - id: q\n")).toBe(
      "11:9 loader.missing_field sub_agent_tasks.t.steps[0].type",
    );
  });
});
