/**
 * @module
 * Snapshots of a run's state that are safe to hand out: a deep copy of the readable tiers that
 * shares no object with the state it copies. No secret is searched for: tenant secrets never enter
 * a run (they are not an expression scope, see docs/dialect.md, "Secrets"), so there is none to
 * find, and matching substrings could not catch a transformed one anyway.
 */
import type { StateData } from "./types.ts";

/** What a state read returns. */
export interface StateSnapshot {
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  global: Record<string, unknown>;
  computed: Record<string, unknown>;
}

/** A deep copy of the readable tiers of `data` (not the computed fingerprints). */
export function snapshot(data: StateData): StateSnapshot {
  return {
    inputs: deepCopy(data.inputs) as Record<string, unknown>,
    state: deepCopy(data.state) as Record<string, unknown>,
    global: deepCopy(data.global) as Record<string, unknown>,
    computed: deepCopy(data.computed) as Record<string, unknown>,
  };
}

function deepCopy(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(deepCopy);
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    // defineProperty, not assignment: a "__proto__" key stays a plain key.
    Object.defineProperty(copy, key, {
      value: deepCopy((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
