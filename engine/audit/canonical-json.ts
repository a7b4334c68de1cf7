/**
 * @module
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units at every depth, no
 * whitespace, strings and numbers as `JSON.stringify` writes them. For the values an audit entry
 * holds (strings, safe integers, `null`, plain objects) this is the JSON Canonicalization Scheme
 * (RFC 8785), so anyone can recompute a hash with a JCS library. Written here rather than taken
 * from a package because it is a dozen lines and the engine takes no I/O-capable dependency.
 */

/** The one text a JSON value hashes as; throws on what JSON cannot hold (undefined, functions, non-finite numbers). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("canonical JSON holds finite numbers only");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
