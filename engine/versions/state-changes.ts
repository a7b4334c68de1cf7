/**
 * @module
 * What a migration changes in the main thread's state: every field of the `inputs`, `state`,
 * `global` and `computed` tiers whose value differs (deep comparison of JSON values), in a stable
 * order (tier, then field name).
 */
import type { StateData } from "../state/state-data.ts";
import type { StateChange } from "./migration-plan.ts";

const TIERS = ["inputs", "state", "global", "computed"] as const;

export function stateChanges(before: StateData, after: StateData): StateChange[] {
  const changes: StateChange[] = [];
  for (const tier of TIERS) {
    const old = before[tier];
    const now = after[tier];
    const names = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
    for (const name of names) {
      const had = Object.hasOwn(old, name);
      const has = Object.hasOwn(now, name);
      if (had && has && jsonEqual(old[name], now[name])) continue;
      const change: StateChange = { path: `${tier}.${name}` };
      if (had) change.before = old[name];
      if (has) change.after = now[name];
      changes.push(change);
    }
  }
  return changes;
}

/** Deep equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]))
  );
}
