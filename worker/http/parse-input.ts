/**
 * @module
 * Validates untrusted JSON (a request body, a tool's arguments) with a zod schema and never
 * throws anything but an `EngineError` with a stable code:
 * - nesting deeper than `MAX_JSON_DEPTH` is `input.too_deep`: structured clone (every DO RPC)
 *   and `JSON.stringify` (every checkpoint) recurse, and overflow the stack at a few thousand
 *   levels, which a 1 MiB body reaches easily (`[[[[…]]]]`);
 * - zod 4.6 runs its length checks (`.min`, `.max` on strings and arrays) on any value with a
 *   `length` property, even after the type check failed, so `{"length": {"toString": {}}}`
 *   makes `safeParse` throw a TypeError instead of answering; that becomes `input.invalid`;
 * - a number JSON cannot hold (`1e999` parses as `Infinity`) is `input.invalid`: it would change
 *   state that no audit digest, checkpoint or export can then write back as JSON.
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
  assertFiniteNumbers(value, what);
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

/** Throws `input.invalid` when `value` holds a number JSON cannot write (`Infinity`, `NaN`). */
export function assertFiniteNumbers(value: unknown, what: string): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === "number" && !Number.isFinite(current)) {
      throw new EngineError(
        RuntimeCodes.inputInvalid,
        `Invalid ${what}: a number is too large for JSON (such as 1e999); send a finite number.`,
      );
    }
    if (typeof current === "object" && current !== null)
      for (const child of Object.values(current)) stack.push(child);
  }
}
