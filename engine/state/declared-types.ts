/**
 * @module
 * The dialect's value types (`string`, `number`, `boolean`, `object`, `array`, `any`) and the
 * check that a value written to a state field fits the type `state_schema.state` declares for it.
 * `null` fits every declared type (a field not set yet, as AroMCP's defaults write it); a type
 * name the dialect does not know checks nothing. Messages name kinds, keys and paths, never a
 * value: a value may hold a secret.
 */
import { EngineError } from "../errors.ts";
import type { ValueTypeName } from "./specs.ts";
import { isPlainRecord, kindOf, withArticle } from "./value-kind.ts";

/** Declared types of the `this` fields: `state_schema.state`. */
export type StateFieldTypes = Readonly<Record<string, ValueTypeName | (string & {})>>;

/** Whether `value` has the dialect type `type` (`number` means a finite number; `any` and unknown names accept all). */
export function hasType(value: unknown, type: ValueTypeName | (string & {})): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainRecord(value);
    default:
      return true;
  }
}

/** Whether `value` may be stored in a field declared `type`: it has the type, or it is `null`/missing. */
export function fitsDeclaredType(value: unknown, type: ValueTypeName | (string & {})): boolean {
  return value === null || value === undefined || hasType(value, type);
}

/**
 * Throws `state.type_mismatch` when the field `field` of the `this` tier is declared in `types` and
 * `value` does not fit that type. `where` names the field as the author wrote it (`this.lint_issues`).
 */
export function assertFitsDeclaredType(
  types: StateFieldTypes,
  field: string,
  value: unknown,
  where = `this.${field}`,
): void {
  if (!Object.hasOwn(types, field)) return;
  const declared = types[field]!;
  if (fitsDeclaredType(value, declared)) return;
  throw new EngineError("state.type_mismatch", mismatchMessage(where, declared, value), { path: where });
}

/**
 * "this.lint_issues is declared array; the value written is an object with key data. …": with
 * `written`, a hint at what to write instead (a fitting field inside the value, JSON text to parse).
 */
export function mismatchMessage(where: string, declared: string, value: unknown, written = true): string {
  const hint = written ? hintFor(declared, value) : undefined;
  return `${where} is declared ${declared}; ${written ? "the value written" : "its default"} is ${describeValue(value)}${hint ? `. ${hint}` : ""}`;
}

/** "an array", "an object with keys data, success": a value's kind and first keys (cut), never its content. */
export function describeValue(value: unknown): string {
  if (!isPlainRecord(value)) return kindOf(value);
  const keys = Object.keys(value);
  if (keys.length === 0) return "an empty object";
  const shown = keys
    .slice(0, 3)
    .map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key))
    .join(", ");
  return `an object with key${keys.length === 1 ? "" : "s"} ${shown}${keys.length > 3 ? ", …" : ""}`;
}

/** What to write instead: a field of the value that has the declared type, or JSON text to parse. */
function hintFor(declared: string, value: unknown): string | undefined {
  if (
    typeof value === "string" &&
    (declared === "object" || declared === "array") &&
    isJsonOf(value, declared)
  ) {
    return `It is text holding JSON: parse it first, e.g. value: "JSON.parse(stdout)"`;
  }
  const inner = pathToType(value, declared);
  const keepAsText =
    declared === "string" && typeof value === "object" && value !== null
      ? `; to keep the whole value as text, write value: "JSON.stringify(result)"`
      : "";
  if (inner !== undefined) {
    return `Its field ${inner} is ${withArticle(declared)}: write that instead (send it as the result, or use value: "result.${inner}" in a state_update)${keepAsText}`;
  }
  return keepAsText === ""
    ? undefined
    : `To keep the whole value as text, write value: "JSON.stringify(result)"`;
}

function isJsonOf(text: string, declared: string): boolean {
  try {
    return hasType(JSON.parse(text), declared);
  } catch {
    return false;
  }
}

/** A key a hint can name in a dotted path: an identifier of at most 40 characters. */
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;

/** The first path (breadth first, at most 3 levels, at most 50 fields looked at) to a value of type `declared`. */
function pathToType(value: unknown, declared: string): string | undefined {
  const queue: { node: unknown; path: string; depth: number }[] = [{ node: value, path: "", depth: 0 }];
  let looked = 0;
  while (queue.length > 0 && looked < 50) {
    const { node, path, depth } = queue.shift()!;
    if (!isPlainRecord(node) || depth >= 3) continue;
    for (const [key, child] of Object.entries(node)) {
      looked += 1;
      if (!IDENTIFIER.test(key)) continue;
      const childPath = path === "" ? key : `${path}.${key}`;
      if (child !== null && hasType(child, declared)) return childPath;
      queue.push({ node: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}
