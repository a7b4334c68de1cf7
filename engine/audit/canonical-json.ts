/**
 * @module
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units at every depth, no
 * whitespace, strings and numbers as `JSON.stringify` writes them. For the values an audit entry
 * holds (strings, safe integers, `null`, plain objects) this is the JSON Canonicalization Scheme
 * (RFC 8785), so anyone can recompute a hash with a JCS library. Written here rather than taken
 * from a package because it is a dozen lines and the engine takes no I/O-capable dependency.
 *
 * Total: it never throws, because a digest that throws after a change committed would lose the
 * change's audit entry. What JSON cannot hold is written as `JSON.stringify` writes it inside an
 * array: a non-finite number, `undefined`, a function or a symbol is `null` (and an object member
 * holding `undefined`, a function or a symbol is left out); a bigint is its decimal digits as a
 * string; a value met again inside itself (a cycle) is `null`. Inputs refuse non-finite numbers
 * before they get here (worker/http/parse-input.ts), so these cases only keep the digest safe.
 */

/** The one text a value hashes as. */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, open: Set<object>): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value !== "object" || open.has(value)) return "null";
  open.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item: unknown) => write(item, open)).join(",")}]`;
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined && typeof item !== "function" && typeof item !== "symbol")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([key, item]) => `${JSON.stringify(key)}:${write(item, open)}`).join(",")}}`;
  } finally {
    open.delete(value);
  }
}
