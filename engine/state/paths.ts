/**
 * @module
 * State paths: parse `this.a.b`, `global.x`, `inputs.y`, `loop.item`, `a[0]`, `a["k"]`; map the
 * legacy roots (`state.` and `computed.` are `this.`; `raw.x` is `inputs.x` when `x` is an input,
 * else `this.x`); decide where a write may land. Must not touch values (path-access.ts does).
 */
import { EngineError } from "../errors.ts";
import { BoundedCache } from "../expressions/bounded-cache.ts";
import { ENV_NOT_ALLOWED } from "../secrets/env-references.ts";
import { CAPABILITY_FIELDS_TEXT } from "../secrets/secret-template.ts";
import { assertSafeSegment } from "./forbidden-keys.ts";
import { LEGACY_ROOTS, PATH_ROOTS, type PathRoot, SCOPE_NAMES, type ScopeName } from "./scope-names.ts";

export type { PathRoot, ScopeName } from "./scope-names.ts";
/** A property name, or an array index written in brackets (`a[0]`). */
export type PathSegment = string | number;

/** A path with its legacy root resolved. */
export interface StatePath {
  /** the path as written */
  text: string;
  /** the root as written (`state` for `state.x`), for deprecation warnings */
  root: PathRoot;
  scope: ScopeName;
  segments: readonly PathSegment[];
}

/** Where a write lands: the `this` tier (`StateData.state`) or the `global` tier. */
export interface WriteTarget {
  tier: "state" | "global";
  /** at least one segment */
  segments: readonly PathSegment[];
  /** the path as written */
  text: string;
}

const ROOTS: ReadonlySet<string> = new Set(PATH_ROOTS);

const ROOT_PATTERN = /^[A-Za-z_$][\w$]*/;
const DOT_SEGMENT_PATTERN = /^[^.[\]\s]+/;
/** A canonical non-negative integer: what a bracket index or an array index may be. */
export const INDEX_PATTERN = /^(0|[1-9]\d*)$/;

interface ParsedSyntax {
  root: PathRoot;
  segments: readonly PathSegment[];
}

/** Paths come from definitions, so the set is small; the bound only guards a long-lived isolate. */
const parseCache = new BoundedCache<string, ParsedSyntax>(4096);

/**
 * Parses `path` and maps legacy roots. `inputs` (the run's inputs) decides where `raw.x` points.
 * Throws `state.invalid_path`, `state.unknown_scope` or `state.forbidden_key`.
 */
export function resolvePath(path: string, inputs?: Readonly<Record<string, unknown>>): StatePath {
  const { root, segments } = parsePathSyntax(path);
  return { text: path, root, scope: scopeOfRoot(root, segments, inputs), segments };
}

/** The scope a root names: legacy roots mapped, `raw.x` decided by whether `x` is in `inputs`. */
export function scopeOfRoot(
  root: PathRoot,
  segments: readonly PathSegment[],
  inputs: Readonly<Record<string, unknown>> | undefined,
): ScopeName {
  switch (root) {
    case "state":
    case "computed":
      return "this";
    case "raw": {
      const first = segments[0];
      return typeof first === "string" && inputs !== undefined && Object.hasOwn(inputs, first)
        ? "inputs"
        : "this";
    }
    default:
      return root;
  }
}

/**
 * Where a state update to `path` lands. `this.x`, `state.x`, `raw.x` (when `x` is not an input)
 * and `global.x` are writable; `computed.*`, a computed field's name under `this`, and every other
 * scope are `state.read_only`.
 */
export function resolveWriteTarget(
  path: string,
  inputs: Readonly<Record<string, unknown>>,
  computedFields: Readonly<Record<string, unknown>>,
): WriteTarget {
  const resolved = resolvePath(path, inputs);
  const first = resolved.segments[0];
  if (first === undefined) {
    throw new EngineError("state.invalid_path", `"${path}" names a whole scope; write to a field inside it`, {
      path,
    });
  }
  if (resolved.scope === "global") return { tier: "global", segments: resolved.segments, text: path };
  const writesComputed =
    resolved.root === "computed" || (typeof first === "string" && Object.hasOwn(computedFields, first));
  if (resolved.scope === "this" && !writesComputed) {
    return { tier: "state", segments: resolved.segments, text: path };
  }
  const what = writesComputed ? "computed fields are derived" : `the ${resolved.scope} scope is read-only`;
  throw new EngineError("state.read_only", `cannot write ${path}: ${what}`, { path });
}

/** Parses the syntax of a path (cached). */
export function parsePathSyntax(path: string): ParsedSyntax {
  const cached = parseCache.get(path);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(path);
  parseCache.set(path, parsed);
  return parsed;
}

function parseUncached(path: string): ParsedSyntax {
  const rootMatch = ROOT_PATTERN.exec(path);
  if (rootMatch === null)
    throw invalidPath(path, "it must start with a scope such as this, global or inputs");
  const root = rootMatch[0];
  if (root === "env") throw envPath(path);
  if (!ROOTS.has(root)) {
    throw new EngineError(
      "state.unknown_scope",
      `"${root}" in ${path} is not a scope (${SCOPE_NAMES.join(", ")}; legacy ${LEGACY_ROOTS.join(", ")})`,
      { path },
    );
  }
  const segments: PathSegment[] = [];
  let rest = path.slice(root.length);
  while (rest.length > 0) {
    let segment: PathSegment;
    if (rest[0] === ".") {
      const match = DOT_SEGMENT_PATTERN.exec(rest.slice(1));
      if (match === null) throw invalidPath(path, "a '.' must be followed by a name");
      segment = match[0];
      rest = rest.slice(1 + segment.length);
    } else if (rest[0] === "[") {
      const close = bracketSegmentEnd(rest, path);
      segment = parseBracketContent(rest.slice(1, close), path);
      rest = rest.slice(close + 1);
    } else {
      throw invalidPath(path, `unexpected "${rest[0]}"`);
    }
    assertSafeSegment(segment, path);
    segments.push(segment);
  }
  return { root: root as PathRoot, segments };
}

/** Index of the `]` that closes the bracket segment at the start of `rest`. */
function bracketSegmentEnd(rest: string, path: string): number {
  const quote = rest[1];
  if (quote !== '"' && quote !== "'") {
    const close = rest.indexOf("]");
    if (close < 0) throw invalidPath(path, "unclosed '['");
    return close;
  }
  for (let i = 2; i < rest.length; i++) {
    if (rest[i] === "\\") i++;
    else if (rest[i] === quote) {
      if (rest[i + 1] !== "]") throw invalidPath(path, "a quoted key must be followed by ']'");
      return i + 1;
    }
  }
  throw invalidPath(path, "unclosed string in '[...]'");
}

function parseBracketContent(content: string, path: string): PathSegment {
  if (INDEX_PATTERN.test(content)) {
    const index = Number(content);
    if (Number.isSafeInteger(index)) return index;
  }
  const quote = content[0];
  if (quote === '"') {
    try {
      return JSON.parse(content) as string;
    } catch {
      throw invalidPath(path, `bad string ${content}`);
    }
  }
  if (quote === "'") return content.slice(1, -1).replace(/\\(.)/g, "$1");
  throw invalidPath(path, `"[${content}]" must be an index or a quoted key`);
}

function invalidPath(path: string, why: string): EngineError {
  return new EngineError("state.invalid_path", `invalid state path "${path}": ${why}`, { path });
}

/** `a.b[0]["c d"]` form of `segments`, for messages. */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = "";
  for (const segment of segments) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (DOT_SEGMENT_PATTERN.exec(segment)?.[0] === segment)
      text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `env.X` as a path: secrets are not values a path can read (`expression.env_not_allowed`). */
function envPath(path: string): EngineError {
  return new EngineError(
    ENV_NOT_ALLOWED,
    `"${path}" reads env, the tenant's secrets: a secret is written as {{ env.NAME }} only in ${CAPABILITY_FIELDS_TEXT}`,
    { path },
  );
}
