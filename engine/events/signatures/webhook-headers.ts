/**
 * @module
 * Reading request headers the same way whether the caller has a Fetch `Headers` object (the
 * Worker route) or a plain record (tests, Node): names case-insensitively, repeated values
 * joined with ", " as `Headers.get` does. Values longer than a bound are reported as too long
 * instead of being parsed.
 */

/** A Fetch `Headers` (anything with `get`), or a plain record of header names to values. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Longest header value verification parses (several signatures during rotation fit easily). */
export const MAX_HEADER_LENGTH = 8192;

/** The header's value, trimmed; undefined when absent or empty. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  const raw = rawHeader(headers, name.toLowerCase());
  if (raw === undefined || raw === null) return undefined;
  const value = (typeof raw === "string" ? raw : raw.join(", ")).trim();
  return value === "" ? undefined : value;
}

function rawHeader(headers: HeaderSource, lowerName: string): string | readonly string[] | null | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(lowerName);
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== lowerName) continue;
    const value = record[key];
    if (typeof value === "string" || Array.isArray(value)) return value;
  }
  return undefined;
}
