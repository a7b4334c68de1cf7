/**
 * @module
 * The shortcut for the commonest expression, a plain property path such as `inputs.n` or
 * `this.total_files`: read straight from the bindings, without the sandbox. Most templates are
 * nothing more, and a run whose expressions are all paths then never builds a QuickJS context
 * (about 4 ms each). The shortcut only answers when the answer is certain to equal the
 * sandbox's: every step is a data property of a plain object (no arrays, no prototypes, no
 * `toJSON`), no name is reserved or forbidden, and the value comes back as its JSON copy, as
 * it would from the sandbox. Anything else (a missing step, `items.length`, a
 * forbidden name) returns `undefined`, and the sandbox answers, with its own errors.
 * Bindings are JSON data (a run's state); on anything else the two may differ (the sandbox
 * refuses a binding with a BigInt anywhere in it, the shortcut only reads the path it names).
 */

import { isForbiddenName } from "./forbidden-names.ts";
import { isReservedWord } from "./source-analysis.ts";

const PATH = /^\s*([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*)*)\s*$/;

export interface ShortcutValue {
  value: unknown;
}

interface PlainPath {
  root: string;
  keys: string[];
}

/** `name.name...` whose root is `this` or not a reserved word; `undefined` for anything else. */
function plainPath(source: string): PlainPath | undefined {
  const match = PATH.exec(source);
  if (match === null) return undefined;
  const root = match[1] as string;
  if (root !== "this" && isReservedWord(root)) return undefined;
  const rest = match[2] as string;
  return { root, keys: rest === "" ? [] : rest.slice(1).split(".") };
}

/** A plain property path (`inputs.n`): always a valid expression, nothing to compile. */
export function isPlainPath(source: string): boolean {
  return plainPath(source) !== undefined;
}

/**
 * The value of `source` when it is a property path the shortcut can read; else `undefined`.
 * Values whose JSON is longer than a third of `maxResultBytes` are left to the sandbox, which
 * applies the result cap exactly.
 */
export function readPathShortcut(
  source: string,
  bindings: Readonly<Record<string, unknown>>,
  maxResultBytes = Number.POSITIVE_INFINITY,
): ShortcutValue | undefined {
  const path = plainPath(source);
  if (path === undefined || isForbiddenName(path.root)) return undefined;
  let value = ownData(bindings, path.root);
  for (const key of path.keys) {
    if (value === undefined || isForbiddenName(key) || !isPlainDataObject(value.value)) return undefined;
    // a key the object does not have at all reads as `undefined`, as in JS; the sandbox's copy
    // of the object inherits from Object.prototype even when this one does not
    const absent: boolean = !(key in value.value) && !(key in Object.prototype);
    value = absent ? { value: undefined } : ownData(value.value, key);
  }
  return value === undefined ? undefined : copyOut(value.value, maxResultBytes);
}

/** An own, enumerable data property (what a JSON copy keeps); `undefined` for anything else. */
function ownData(holder: object, key: string): ShortcutValue | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined || !("value" in descriptor) || descriptor.enumerable !== true)
    return undefined;
  return { value: descriptor.value };
}

function isPlainDataObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, "toJSON");
}

/**
 * What the sandbox would hand back: the bindings reach it as JSON, so the value is its JSON copy
 * (`-0` becomes `0`, `NaN` becomes `null`, a function becomes `undefined`).
 */
function copyOut(value: unknown, maxResultBytes: number): ShortcutValue | undefined {
  try {
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined && json.length * 3 > maxResultBytes) return undefined;
    return { value: json === undefined ? undefined : JSON.parse(json) };
  } catch {
    return undefined; // not plain data (a BigInt, a cycle): the sandbox reports it
  }
}
