/**
 * @module
 * The worker's side of `Outcome`: a failed outcome becomes an `EngineError` again, so routes and
 * tools handle DO failures exactly like local ones.
 */

import type { Outcome } from "../../durable-objects/outcome.ts";
import { EngineError } from "../../engine/errors.ts";

export async function unwrap<T>(pending: Promise<Outcome<T>> | Outcome<T>): Promise<T> {
  const outcome = await pending;
  if (outcome.ok) return outcome.value;
  const { code, message, path, line, column } = outcome.error;
  const options: { path?: string; line?: number; column?: number } = {};
  if (path !== undefined) options.path = path;
  if (line !== undefined) options.line = line;
  if (column !== undefined) options.column = column;
  throw new EngineError(code, message, options);
}
