/**
 * @module
 * What kind of JSON value something is, for type checks and error messages. Messages name the
 * kind, never the value: a value may hold a secret.
 */

/** A non-null, non-array object: what `merge` and nested `set` accept as a container. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** "null", "nothing", "an array", "an object", "a string", "a number", ... */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  return withArticle(typeof value);
}

/** "an object", "a number": a type name with its article. */
export function withArticle(typeName: string): string {
  return /^[aeiou]/.test(typeName) ? `an ${typeName}` : `a ${typeName}`;
}
