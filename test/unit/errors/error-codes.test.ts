/**
 * The one mapping from error code to class to HTTP status, over a closed set of codes. The
 * `@ts-expect-error` lines are the guard itself: `npm run typecheck` fails if an unknown code or a
 * classification table missing a code ever compiles.
 */
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, isErrorCode } from "../../../engine/error-codes.ts";
import { EngineError } from "../../../engine/errors.ts";
import {
  classifyCode,
  ERROR_CLASS_OF,
  type ErrorClass,
  httpStatusOf,
  RuntimeCodes,
} from "../../../worker/errors/codes.ts";

/** Runtime codes that are internal by design: an unexpected error, a run the runtime could not start. */
const INTERNAL_RUNTIME_CODES: readonly string[] = ["internal.error", "event.start_failed", "storage.corrupt"];

describe("error codes", () => {
  it("classifies every runtime code as something other than internal, except the internal ones", () => {
    for (const code of Object.values(RuntimeCodes)) {
      expect([code, classifyCode(code)]).toEqual([
        code,
        INTERNAL_RUNTIME_CODES.includes(code) ? "internal" : expect.not.stringMatching(/^internal$/),
      ]);
    }
  });

  it.each<[ErrorCode, ErrorClass, number]>([
    ["run.not_found", "not_found", 404],
    ["run.task_not_found", "not_found", 404],
    ["run.not_running", "conflict", 409],
    ["state.read_only", "forbidden", 403],
    ["state.missing_input", "invalid_input", 400],
    ["step.validation_failed", "invalid_input", 400],
    ["loader.unknown_key", "invalid_workflow", 422],
    ["expression.budget_exceeded", "invalid_workflow", 422],
    ["expression.result_too_large", "too_large", 413],
    ["auth.invalid_key", "unauthenticated", 401],
    ["request.too_large", "too_large", 413],
    ["admin.not_configured", "unavailable", 503],
    // the worker's expression checker failing is not the file's fault: retry
    ["expression.checker_unavailable", "unavailable", 503],
    ["expression.disposed", "internal", 500],
  ])("%s is %s (%i)", (code, errorClass, status) => {
    expect(classifyCode(code)).toBe(errorClass);
    expect(httpStatusOf(classifyCode(code))).toBe(status);
  });

  it("gives every code exactly one class and an HTTP status, and lists each code once", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(Object.keys(ERROR_CLASS_OF).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      expect([code, httpStatusOf(classifyCode(code))]).toEqual([code, expect.any(Number)]);
    }
  });

  it("spells every code as a short stable dotted string", () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+\.[a-z_]{1,60}$/);
  });

  it("tells a known code from an unknown string read off the wire", () => {
    expect(isErrorCode("run.not_found")).toBe(true);
    expect(isErrorCode("something.unheard_of")).toBe(false);
    expect(isErrorCode(404)).toBe(false);
  });

  it("does not compile an unknown code or a classification table missing a code", () => {
    // @ts-expect-error "nope.code" is not an ErrorCode
    const unknown = new EngineError("nope.code", "an unknown code");
    expect(unknown.code).toBe("nope.code");
    const { "run.not_found": _dropped, ...missingOne } = ERROR_CLASS_OF;
    // @ts-expect-error a table without "run.not_found" is not a Record<ErrorCode, ErrorClass>
    const incomplete: Record<ErrorCode, ErrorClass> = missingOne;
    expect(Object.keys(incomplete)).toHaveLength(ERROR_CODES.length - 1);
  });
});
