/**
 * @module
 * Fingerprints of plain data: a 64-bit hash of the JSON text. Computed fields store one per field
 * to know when their inputs changed, so StateData holds neither a copy of a large input nor a
 * secret an input carried. Objects are hashed once per reference: state is immutable, so an
 * object's JSON never changes. Not a cryptographic hash; must not be used for integrity.
 */

const fingerprintsByObject = new WeakMap<object, string>();
let unserializableCount = 0;

/** A short string that is equal for equal JSON values (`undefined` has its own fingerprint). */
export function fingerprintValue(value: unknown): string {
  if (value === undefined) return "u";
  if (value === null || typeof value !== "object") return hashJson(value);
  let fingerprint = fingerprintsByObject.get(value);
  if (fingerprint === undefined) {
    fingerprint = hashJson(value);
    fingerprintsByObject.set(value, fingerprint);
  }
  return fingerprint;
}

function hashJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Not plain data (a cycle, a BigInt): never equal to anything, so the field is recomputed.
    unserializableCount += 1;
    return `!${unserializableCount}`;
  }
  return text === undefined ? "u" : hashText(text);
}

/** cyrb53's two 32-bit lanes, printed as 16 hex digits. */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}
