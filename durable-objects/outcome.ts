/**
 * @module
 * The result of every Durable Object RPC method. Errors cross the RPC boundary as data: a thrown
 * custom error loses its `code` on the way, so expected failures travel as `{ok: false, error}`
 * and the caller turns them back into an `EngineError`. Unexpected failures still throw.
 */
import { EngineError, type ErrorShape, isEngineError } from "../engine/errors.ts";
import { RateLimitedError, type RateLimitVerdict } from "../engine/rate-limits/rate-limited-error.ts";

/** A refusal by a rate limit also carries its verdict, so the edge can answer with its headers. */
export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: ErrorShape; rateLimit?: RateLimitVerdict };

/** Runs `work`, returning its value, or the shape of the `EngineError` it threw. */
export async function toOutcome<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (thrown) {
    if (thrown instanceof RateLimitedError)
      return { ok: false, error: thrown.toJSON(), rateLimit: thrown.verdict };
    if (isEngineError(thrown)) return { ok: false, error: thrown.toJSON() };
    throw thrown;
  }
}

/** The value of an outcome, or its error thrown again as an `EngineError`. */
export async function unwrap<T>(pending: Promise<Outcome<T>> | Outcome<T>): Promise<T> {
  const outcome = await pending;
  if (outcome.ok) return outcome.value;
  if (outcome.rateLimit !== undefined) throw new RateLimitedError(outcome.rateLimit);
  const { code, message, path, line, column } = outcome.error;
  const options: { path?: string; line?: number; column?: number } = {};
  if (path !== undefined) options.path = path;
  if (line !== undefined) options.line = line;
  if (column !== undefined) options.column = column;
  throw new EngineError(code, message, options);
}
