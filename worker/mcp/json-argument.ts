/**
 * @module
 * Some MCP clients send object arguments as JSON strings (AroMCP accepted both). This turns such
 * a string back into a value, or fails with `input.invalid` naming the argument (`input.too_deep`
 * when it nests deeper than the arguments themselves may, `input.invalid` when it holds a number
 * JSON cannot write back, such as `1e999`).
 */
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { assertFiniteNumbers, assertJsonDepth } from "../http/parse-input.ts";

export function jsonArgument<T>(value: T | string | undefined, name: string): T | undefined {
  if (typeof value !== "string") return value;
  let parsed: T;
  try {
    parsed = JSON.parse(value) as T;
  } catch {
    throw new EngineError(RuntimeCodes.inputInvalid, `Invalid ${name}: a string here must be valid JSON.`, {
      path: name,
    });
  }
  assertJsonDepth(parsed, name);
  assertFiniteNumbers(parsed, name);
  return parsed;
}
