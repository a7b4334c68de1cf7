/**
 * @module
 * Reading and writing a value at a list of path segments. Reads see own properties only; writes
 * copy the containers along the path and share everything else, never mutating their input.
 * Must not parse path text or know about scopes (paths.ts does).
 */
import { EngineError } from "../errors.ts";
import { assertSafeSegment, FORBIDDEN_PATH_SEGMENTS } from "./forbidden-keys.ts";
import { formatPath, INDEX_PATTERN, type PathSegment } from "./paths.ts";
import { isPlainRecord } from "./value-kind.ts";

/** `segment` as an array index, or undefined when it is not a non-negative integer. */
function arrayIndex(segment: PathSegment): number | undefined {
  if (typeof segment === "number") return Number.isSafeInteger(segment) && segment >= 0 ? segment : undefined;
  return INDEX_PATTERN.test(segment) && segment.length < 16 ? Number(segment) : undefined;
}

/**
 * The value at `segments` under `value`, or undefined. Reads own properties only (never a
 * prototype's); `length` of arrays and strings is readable.
 */
export function getPath(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (typeof segment === "string" && FORBIDDEN_PATH_SEGMENTS.has(segment)) {
      assertSafeSegment(segment, formatPath(segments));
    }
    if (current === null || current === undefined) return undefined;
    if (typeof current === "string" || Array.isArray(current)) {
      if (segment === "length") {
        current = current.length;
        continue;
      }
      if (typeof current === "string") return undefined;
      const index = arrayIndex(segment);
      current = index === undefined ? undefined : current[index];
      continue;
    }
    if (typeof current !== "object") return undefined;
    const key = String(segment);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * A copy of `root` with `value` at `segments`; `root` and everything not on the path are shared,
 * never mutated. Missing containers are created: an array when the next segment is a bracket
 * index (`a[0]`), an object otherwise. Throws `state.type_mismatch` when the path runs through a
 * string, number or boolean, or names a property of an array; `state.index_out_of_range` when an
 * index would leave a hole; `state.forbidden_key` for prototype keys.
 */
export function setPath(
  root: Readonly<Record<string, unknown>>,
  segments: readonly PathSegment[],
  value: unknown,
  pathForErrors: string = formatPath(segments),
): Record<string, unknown> {
  if (segments.length === 0) {
    throw new EngineError("state.invalid_path", "setPath needs at least one segment", {
      path: pathForErrors,
    });
  }
  return setIn(root, segments, 0, value, pathForErrors) as Record<string, unknown>;
}

function setIn(
  container: unknown,
  segments: readonly PathSegment[],
  depth: number,
  value: unknown,
  path: string,
): unknown {
  const segment = segments[depth]!;
  assertSafeSegment(segment, path);
  const isLast = depth === segments.length - 1;
  const existing = container ?? (typeof segment === "number" ? [] : {});
  if (Array.isArray(existing)) {
    const index = arrayIndex(segment);
    if (index === undefined) {
      throw new EngineError("state.type_mismatch", `cannot set "${segment}" on an array (${path})`, { path });
    }
    if (index > existing.length) {
      throw new EngineError(
        "state.index_out_of_range",
        `index ${index} is past the end of an array of ${existing.length} (${path})`,
        { path },
      );
    }
    const copy = existing.slice();
    copy[index] = isLast ? value : setIn(existing[index], segments, depth + 1, value, path);
    return copy;
  }
  if (!isPlainRecord(existing)) {
    throw new EngineError(
      "state.type_mismatch",
      `cannot set "${segment}" inside a ${typeof existing} (${path})`,
      { path },
    );
  }
  const key = String(segment);
  const next = isLast
    ? value
    : setIn(Object.hasOwn(existing, key) ? existing[key] : undefined, segments, depth + 1, value, path);
  return { ...existing, [key]: next };
}
