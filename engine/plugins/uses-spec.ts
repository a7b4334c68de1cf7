/**
 * @module
 * `uses: "<name>@<range>"`: which plugin, and which of its versions, a service, step or
 * `external_state` wants. The name is the plugin's (`[a-z][a-z0-9_-]*`); the range is any semver
 * range (`^1`, `~1.2.0`, `>=1.1 <3`, `1.4.2`, `*`). A missing `@<range>` is refused: a workflow
 * must say which major it was written against. Pure: parses text, resolves nothing.
 */
import semver from "semver";

/** A plugin's name as `uses:` spells it. */
export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

export interface UsesSpec {
  name: string;
  /** the range as written (trimmed) */
  range: string;
}

export type UsesParse = { ok: true; spec: UsesSpec } | { ok: false; message: string };

/** `"http@^1"` → `{name: "http", range: "^1"}`, or why it is not a `uses:` value. */
export function parseUses(text: string): UsesParse {
  const at = text.indexOf("@");
  if (at < 0) {
    return {
      ok: false,
      message: `"${brief(text)}" names no version range: write "<plugin>@<range>", e.g. "${brief(text.trim())}@^1"`,
    };
  }
  const name = text.slice(0, at).trim();
  const range = text.slice(at + 1).trim();
  if (!PLUGIN_NAME_PATTERN.test(name)) {
    return {
      ok: false,
      message: `"${brief(name)}" is not a plugin name: lower-case letters, digits, _ and -, starting with a letter`,
    };
  }
  if (range === "" || semver.validRange(range) === null) {
    return {
      ok: false,
      message: `"${brief(range)}" is not a semver range (e.g. ^1, ~1.2.0, >=1.1 <3, 1.4.2, *)`,
    };
  }
  return { ok: true, spec: { name, range } };
}

export function formatUses(spec: UsesSpec): string {
  return `${spec.name}@${spec.range}`;
}

function brief(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
