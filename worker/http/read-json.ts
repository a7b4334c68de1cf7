/**
 * @module
 * Reads a JSON request body and validates it with a zod schema: malformed JSON is
 * `request.invalid_json`, a body of the wrong shape is `input.invalid` with the offending path.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { inputError } from "../errors/to-error-shape.ts";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new EngineError(RuntimeCodes.requestInvalidJson, "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw inputError(parsed.error, "request body");
  return parsed.data;
}
