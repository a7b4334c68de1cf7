/**
 * @module
 * Validates untrusted JSON (a request body, a tool's arguments) with a zod schema and never
 * throws anything but an `EngineError` with a stable code:
 * - nesting deeper than `MAX_JSON_DEPTH` is `input.too_deep`: structured clone (every DO RPC)
 *   and `JSON.stringify` (every checkpoint) recurse, and overflow the stack at a few thousand
 *   levels, which a 1 MiB body reaches easily (`[[[[…]]]]`);
 * - zod 4.6 runs its length checks (`.min`, `.max` on strings and arrays) on any value with a
 *   `length` property, even after the type check failed, so `{"length": {"toString": {}}}`
 *   makes `safeParse` throw a TypeError instead of answering; that becomes `input.invalid`.
 */
import type { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../engine/json-depth.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { inputError } from "../errors/to-error-shape.ts";

export { jsonDepthExceeds, MAX_JSON_DEPTH };

export const TOO_DEEP_CODE = "input.too_deep";

/** The schema's output for `value`, or an `EngineError` naming what was wrong with `what`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  assertJsonDepth(value, what);
  let parsed: z.ZodSafeParseResult<z.output<S>>;
  try {
    parsed = schema.safeParse(value) as z.ZodSafeParseResult<z.output<S>>;
  } catch {
    throw new EngineError(
      RuntimeCodes.inputInvalid,
      `Invalid ${what}: a value has the wrong type (an object where a string or a list belongs?).`,
    );
  }
  if (!parsed.success) throw inputError(parsed.error, what);
  return parsed.data;
}

/** Throws `input.too_deep` when `value` nests arrays or objects more than `max` levels. */
export function assertJsonDepth(value: unknown, what: string, max = MAX_JSON_DEPTH): void {
  if (jsonDepthExceeds(value, max)) {
    throw new EngineError(
      TOO_DEEP_CODE,
      `Invalid ${what}: arrays and objects nest more than ${max} levels deep.`,
    );
  }
}
