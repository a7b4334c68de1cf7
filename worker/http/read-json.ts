/**
 * @module
 * Reads a JSON request body and validates it with a zod schema: malformed JSON is
 * `request.invalid_json`, a body of the wrong shape is `input.invalid` with the offending path,
 * a body nested too deep is `input.too_deep` (see `parse-input.ts`).
 */
import type { Context } from "hono";
import type { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { parseInput } from "./parse-input.ts";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new EngineError(RuntimeCodes.requestInvalidJson, "The request body is not valid JSON.");
  }
  return parseInput(schema, body, "request body");
}
