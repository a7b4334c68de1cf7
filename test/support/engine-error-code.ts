/**
 * @module
 * The error code a call throws, for tests that compare codes: an `EngineError`'s code, "no error"
 * when the call returns, and anything else thrown again (a bug, not a coded refusal).
 */
import { EngineError } from "../../engine/errors.ts";

export function engineErrorCodeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  return "no error";
}
