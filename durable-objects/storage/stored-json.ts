/**
 * @module
 * Reading JSON that storage hands back. A stored value is data written by an earlier version of
 * this code (or damaged), not a value of a TypeScript type: it is parsed with a zod schema, and
 * one that does not fit is `storage.corrupt` (an internal error naming what and where), never a
 * crash further on. Nothing stored is echoed back: the message names the field, not its value.
 */
import type { z } from "zod";
import { EngineError } from "../../engine/errors.ts";

/** Raised when a stored row cannot be read: broken JSON, a shape that does not fit, an unknown format. */
export const STORAGE_CORRUPT = "storage.corrupt";

export function storageCorrupt(what: string, problem: string): EngineError {
  return new EngineError(STORAGE_CORRUPT, `The stored ${what} cannot be read: ${problem}.`);
}

/** `text` as JSON, or `storage.corrupt`. */
export function parseStoredJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return failed(what, "it is not valid JSON");
  }
}

/** `value` checked (and typed) by `schema`, or `storage.corrupt` naming the first field that does not fit. */
export function checkStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  return failed(what, `it does not fit its schema${where}: ${issue?.message ?? "invalid"}`);
}

function failed(what: string, problem: string): never {
  throw storageCorrupt(what, problem);
}
