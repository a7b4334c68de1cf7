/** The one mapping from error code to class to HTTP status. */
import { describe, expect, it } from "vitest";
import { classifyCode, type ErrorClass, httpStatusOf, RuntimeCodes } from "../../worker/errors/codes.ts";

describe("error codes", () => {
  it("classifies every runtime code as something other than internal, except internal.error", () => {
    for (const code of Object.values(RuntimeCodes)) {
      expect([code, classifyCode(code)]).toEqual([
        code,
        code === "internal.error" ? "internal" : expect.not.stringMatching(/^internal$/),
      ]);
    }
  });

  it.each<[string, ErrorClass, number]>([
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
    ["something.unheard_of", "internal", 500],
  ])("%s is %s (%i)", (code, errorClass, status) => {
    expect(classifyCode(code)).toBe(errorClass);
    expect(httpStatusOf(classifyCode(code))).toBe(status);
  });
});
