/**
 * Declared types are enforced on every write: a value written to a `this` field declared in
 * `state_schema.state` is accepted iff it has that type (or is null), whatever the operation, and
 * a refused write changes nothing and names the field, the declared type and what came.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EngineError } from "../../../engine/errors.ts";
import {
  applyUpdates,
  FORBIDDEN_PATH_SEGMENTS,
  hasType,
  type ResolvedUpdate,
  type StateFieldTypes,
  type ValueTypeName,
} from "../../../engine/state/index.ts";
import { createCountingEvaluator } from "./counting-evaluator.ts";
import { stateData } from "./state-data.ts";

const evaluator = createCountingEvaluator();

const TYPES: readonly ValueTypeName[] = ["string", "number", "boolean", "object", "array", "any"];

function write(types: StateFieldTypes, updates: ResolvedUpdate[], state: Record<string, unknown> = {}) {
  return applyUpdates(stateData({ state }), updates, {}, evaluator, {}, types);
}

/** What each type means, written out independently of the implementation. */
function isOfType(value: unknown, type: ValueTypeName): boolean {
  if (type === "any") return true;
  if (type === "array") return Array.isArray(value);
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === type;
}

/** JSON values without the keys state refuses before any type check (`state.forbidden_key`). */
const safeJsonValue = fc.jsonValue().filter((value) => !hasForbiddenKey(value));

function hasForbiddenKey(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(
    ([key, inner]) => FORBIDDEN_PATH_SEGMENTS.has(key) || hasForbiddenKey(inner),
  );
}

describe("property: a value written to a field of declared type T is accepted iff it has type T", () => {
  it("holds for set on every type and any JSON value (null always fits)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), safeJsonValue, (type, value) => {
        const { data, errors } = write({ field: type }, [{ path: "this.field", operation: "set", value }]);
        const fits = value === null || isOfType(value, type);
        expect(errors.length === 0).toBe(fits);
        if (fits) expect(data.state.field).toEqual(value);
        else {
          expect(data.state).toEqual({});
          expect(errors[0]).toMatchObject({ code: "state.type_mismatch", path: "this.field" });
          expect(errors[0]!.message).toContain(`this.field is declared ${type}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("hasType agrees with the declared meaning of each type", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.jsonValue(), (type, value) => {
        expect(hasType(value, type)).toBe(isOfType(value, type));
      }),
    );
  });

  it("judges the field's whole value after a nested write or an operation", () => {
    const types = { issues: "array", count: "number", meta: "object" } as const;
    expect(write(types, [{ path: "this.issues[0]", operation: "set", value: { line: 3 } }]).errors).toEqual(
      [],
    );
    expect(write(types, [{ path: "this.issues", operation: "append", value: "x" }]).errors).toEqual([]);
    expect(write(types, [{ path: "this.count", operation: "increment", value: 1 }]).errors).toEqual([]);
    expect(write(types, [{ path: "this.meta", operation: "merge", value: { a: 1 } }]).errors).toEqual([]);
    // a nested write into a missing number field would make it an object
    const nested = write(types, [{ path: "this.count.total", operation: "set", value: 1 }]);
    expect(nested.errors[0]).toMatchObject({ code: "state.type_mismatch", path: "this.count" });
    expect(nested.errors[0]!.message).toContain("an object with key total");
    const legacy = write(types, [{ path: "state.count", operation: "set", value: "3" }]);
    expect(legacy.errors[0]).toMatchObject({ code: "state.type_mismatch", path: "state.count" });
  });

  it("applies all or nothing: a later refused update undoes the earlier ones", () => {
    const { data, errors } = write(
      { ok: "number", list: "array" },
      [
        { path: "this.ok", operation: "set", value: 1 },
        { path: "global.g", operation: "set", value: 2 },
        { path: "this.list", operation: "set", value: "a" },
      ],
      { ok: 0 },
    );
    expect(errors).toHaveLength(1);
    expect(data.state).toEqual({ ok: 0 });
    expect(data.global).toEqual({});
  });

  it("leaves undeclared fields, global and `any` fields free", () => {
    const updates: ResolvedUpdate[] = [
      { path: "this.free", operation: "set", value: [1] },
      { path: "this.loose", operation: "set", value: "x" },
      { path: "global.g", operation: "set", value: { a: 1 } },
    ];
    expect(write({ loose: "any" }, updates).errors).toEqual([]);
  });
});

describe("the mismatch message says what to send instead", () => {
  const refused = (type: ValueTypeName, value: unknown): EngineError =>
    write({ lint_issues: type }, [{ path: "this.lint_issues", operation: "set", value }]).errors[0]!;

  it("points at the array inside a tool's envelope (AroMCP's lint_project output)", () => {
    const error = refused("array", { data: { issues: [{ rule: "no-var" }] }, success: true });
    expect(error.message).toBe(
      'this.lint_issues is declared array; the value written is an object with keys data, success. Its field data.issues is an array: write that instead (send it as the result, or use value: "result.data.issues" in a state_update)',
    );
  });

  it("says to parse JSON text, and never shows the value itself", () => {
    const error = refused("object", '{"token":"s3cret"}');
    expect(error.message).toContain("is a string. It is text holding JSON: parse it first");
    expect(error.message).not.toContain("s3cret");
    expect(refused("number", "42").message).toBe(
      "this.lint_issues is declared number; the value written is a string",
    );
  });
});

describe("a structured value written to a string field", () => {
  it("suggests a string field inside it, or JSON.stringify to keep it as text", () => {
    const refused = (value: unknown) =>
      write({ note: "string" }, [{ path: "this.note", operation: "set", value }]).errors[0]!.message;
    expect(refused({ data: { summary: "ok" } })).toBe(
      'this.note is declared string; the value written is an object with key data. Its field data.summary is a string: write that instead (send it as the result, or use value: "result.data.summary" in a state_update); to keep the whole value as text, write value: "JSON.stringify(result)"',
    );
    expect(refused([1, 2])).toBe(
      'this.note is declared string; the value written is an array. To keep the whole value as text, write value: "JSON.stringify(result)"',
    );
  });
});
