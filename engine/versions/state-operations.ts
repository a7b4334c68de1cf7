/**
 * @module
 * The declarative operations of a `migrations:` entry, applied to a run's state fields (the
 * `this` tier) in place on a copy the caller owns: `rename` (a field to a new name beside it),
 * `move` (a value from one path to another, creating objects on the way), `set_default` (only
 * when the path is absent) and `delete`. Paths are dot separated and go through objects only; a
 * segment such as `__proto__` or a non-object on the way is `migrate.operation_failed`.
 */
import type { MigrationOperation } from "../dialect/index.ts";
import { FORBIDDEN_PATH_SEGMENTS } from "../state/forbidden-keys.ts";

type Fields = Record<string, unknown>;

export class OperationError extends Error {}

/** Applies `operation` to `fields` (modified in place). Throws `OperationError`. */
export function applyOperation(fields: Fields, operation: MigrationOperation): void {
  if ("rename" in operation) {
    const from = segmentsOf(operation.rename.from);
    if (operation.rename.to.includes("."))
      throw new OperationError("rename: `to` is a field name, not a path");
    moveValue(fields, from, [...from.slice(0, -1), ...segmentsOf(operation.rename.to)]);
  } else if ("move" in operation) {
    moveValue(fields, segmentsOf(operation.move.from), segmentsOf(operation.move.to));
  } else if ("set_default" in operation) {
    const path = segmentsOf(operation.set_default.path);
    if (!hasPath(fields, path)) setPath(fields, path, structuredClone(operation.set_default.value));
  } else {
    removePath(fields, segmentsOf(operation.delete));
  }
}

/** The segments of a dotted path, or `OperationError` for an empty or forbidden segment. */
export function segmentsOf(path: string): string[] {
  const segments = path.split(".");
  for (const segment of segments) {
    if (segment === "") throw new OperationError(`path "${path}" has an empty segment`);
    if (FORBIDDEN_PATH_SEGMENTS.has(segment)) throw new OperationError(`path "${path}" names "${segment}"`);
  }
  return segments;
}

function moveValue(fields: Fields, from: string[], to: string[]): void {
  if (!hasPath(fields, from)) return;
  const value = valueAt(fields, from);
  removePath(fields, from);
  setPath(fields, to, value);
}

function hasPath(fields: Fields, path: readonly string[]): boolean {
  const parent = parentOf(fields, path, false);
  return parent !== undefined && Object.hasOwn(parent, path.at(-1)!);
}

function valueAt(fields: Fields, path: readonly string[]): unknown {
  return parentOf(fields, path, false)?.[path.at(-1)!];
}

function setPath(fields: Fields, path: readonly string[], value: unknown): void {
  parentOf(fields, path, true)![path.at(-1)!] = value;
}

function removePath(fields: Fields, path: readonly string[]): void {
  const parent = parentOf(fields, path, false);
  if (parent !== undefined) delete parent[path.at(-1)!];
}

/** The object holding the last segment of `path`; with `create`, missing objects are made. */
function parentOf(fields: Fields, path: readonly string[], create: boolean): Fields | undefined {
  let node = fields;
  for (const [index, segment] of path.slice(0, -1).entries()) {
    if (!Object.hasOwn(node, segment)) {
      if (!create) return undefined;
      node[segment] = {};
    }
    const next = node[segment];
    if (!isPlainObject(next)) {
      if (!create) return undefined;
      throw new OperationError(`${path.slice(0, index + 1).join(".")} is not an object`);
    }
    node = next;
  }
  return node;
}

export function isPlainObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
