/**
 * @module
 * The keys that would let a write reach `Object.prototype`, and the checks that keep them out
 * of state. Path segments may not be `__proto__`, `constructor` or `prototype`; values written
 * into state may not carry an own `__proto__` key at any depth (the one key whose assignment
 * changes a prototype when some later code copies the object with `Object.assign` or `obj[k] = v`).
 * Must not allocate on the happy path: it runs on every write.
 */
import { EngineError } from "../errors.ts";

/** Segments that no state path may contain. */
export const FORBIDDEN_PATH_SEGMENTS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** Throws `state.forbidden_key` when `segment` could reach a prototype. */
export function assertSafeSegment(segment: string | number, path: string): void {
  if (typeof segment === "string" && FORBIDDEN_PATH_SEGMENTS.has(segment)) {
    throw new EngineError("state.forbidden_key", `"${segment}" is not allowed in a state path (${path})`, {
      path,
    });
  }
}

/**
 * Throws `state.forbidden_key` when `value` holds an own `__proto__` key at any depth
 * (JSON.parse and the sandbox create such keys as plain own properties).
 */
export function assertNoPrototypeKeys(value: unknown, path: string): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const element of value) assertNoPrototypeKeys(element, path);
    return;
  }
  if (Object.hasOwn(value, "__proto__")) {
    throw new EngineError("state.forbidden_key", `a value written to ${path} has a "__proto__" key`, {
      path,
    });
  }
  for (const key in value) {
    if (Object.hasOwn(value, key)) assertNoPrototypeKeys((value as Record<string, unknown>)[key], path);
  }
}
