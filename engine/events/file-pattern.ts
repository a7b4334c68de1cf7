/**
 * @module
 * File-change patterns with picomatch (POSIX flavour, the same on every platform): a trigger's
 * `pattern` is one glob or a list; entries starting with `!` exclude. A path matches when it
 * matches some including glob (or there are only excluding ones) and no excluding glob. Paths
 * are relative to the watched root with `/` separators (`normalizeFilePath` fixes `\` and a
 * leading `./`). picomatch defaults apply: `*` and `**` do not match names starting with a dot
 * unless the glob spells the dot (`.github/**`).
 */
import picomatch from "picomatch/posix.js";
import { BoundedCache } from "../expressions/bounded-cache.ts";

export type PathMatcher = (path: string) => boolean;

const compiled = new BoundedCache<string, PathMatcher>(512);

/** `a\b` → `a/b`, `./a` → `a`, `a//b` → `a/b`. */
export function normalizeFilePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^(\.\/)+/, "");
}

/** The matcher for one glob or a list of globs (a leading `!` excludes). */
export function compileFilePatterns(patterns: string | readonly string[]): PathMatcher {
  const list = typeof patterns === "string" ? [patterns] : [...patterns];
  const key = JSON.stringify(list);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const includes = list.filter((glob) => !glob.startsWith("!"));
  const excludes = list.filter((glob) => glob.startsWith("!")).map((glob) => glob.slice(1));
  const included = includes.length === 0 ? () => true : picomatch(includes);
  const excluded = excludes.length === 0 ? () => false : picomatch(excludes);
  const matcher: PathMatcher = (path) => {
    const normalized = normalizeFilePath(path);
    return included(normalized) && !excluded(normalized);
  };
  compiled.set(key, matcher);
  return matcher;
}
