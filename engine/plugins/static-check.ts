/**
 * @module
 * Checking a value against a zod schema before its `{{ }}` templates are evaluated. A field whose
 * value is a string holding `{{` is unknown until run time, so a problem found at that field (or
 * inside it) is skipped; everything else is checked as written: a missing required field, a field
 * the schema does not know (placed at that key, whatever its value), a literal of the wrong type,
 * an object where a string belongs. Pure.
 */
import type { z } from "zod";
import { hasTemplate } from "../expressions/template.ts";

export type RelativePath = (string | number)[];

export interface StaticProblem {
  /** path inside the checked value */
  path: RelativePath;
  message: string;
}

/** The schema's problems with `value` that do not sit at or under a templated field. */
export function staticProblems(schema: z.ZodType, value: unknown): StaticProblem[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue): StaticProblem[] => {
    const path = issue.path.map(pathKey);
    // an unknown key is static whatever its value: placed at the key itself, one problem per key
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }));
    }
    return crossesTemplate(value, path) ? [] : [{ path, message: issue.message }];
  });
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "number" ? key : String(key);
}

/** Whether walking `path` into `value` meets a templated string on the way (or at its end). */
function crossesTemplate(value: unknown, path: RelativePath): boolean {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current === "string") return hasTemplate(current);
    if (typeof current !== "object" || current === null) return false;
    current = (current as Record<string | number, unknown>)[key];
  }
  return typeof current === "string" && hasTemplate(current);
}

/** `a.b[2]` for a relative path. */
export function formatRelative(path: RelativePath): string {
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join("");
}
