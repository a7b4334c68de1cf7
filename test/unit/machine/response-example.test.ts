/** The example answer handed out next to a step's declared answer shape. */
import { describe, expect, it } from "vitest";
import { exampleOf } from "../../../engine/machine/response-example.ts";

describe("exampleOf", () => {
  it("follows AroMCP's expected_response shapes: properties by type, required fields present", () => {
    const shape = {
      type: "object",
      required: ["summary", "fixes", "priorities", "count"],
      properties: {
        summary: { type: "string" },
        fixes: { type: "array", items: { type: "object", properties: { file: { type: "string" } } } },
        priorities: { type: "object" },
        level: { type: "string", enum: ["high", "low"] },
        done: { type: "boolean", default: false },
      },
    };
    expect(exampleOf(shape)).toEqual({
      summary: "text",
      fixes: [{ file: "text" }],
      priorities: {},
      level: "high",
      done: false,
      count: null,
    });
  });

  it("keeps odd property names as own fields and stops at a depth limit", () => {
    // as a parsed workflow file has it: an own key, not a prototype
    const shape = JSON.parse('{"type": "object", "properties": {"__proto__": {"type": "number"}}}');
    const example = exampleOf(shape) as object;
    expect(Object.getPrototypeOf(example)).toBe(Object.prototype);
    expect(Object.keys(example)).toEqual(["__proto__"]);
    let deep: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 20; level += 1) deep = { type: "array", items: deep };
    expect(JSON.stringify(exampleOf(deep))).toContain("null");
    expect(exampleOf("not a schema")).toBeNull();
  });
});
