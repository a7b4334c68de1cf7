/**
 * @module
 * Snapshots of a run's state that are safe to hand out: a deep copy of the readable tiers that
 * shares no object with the state it copies. No secret is searched for: tenant secrets never enter
 * a run (they are not an expression scope, see docs/dialect.md, "Secrets"), so there is none to
 * find, and matching substrings could not catch a transformed one anyway.
 */
import type { StateData } from "./state-data.ts";

/** What a state read returns. */
export interface StateSnapshot {
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  global: Record<string, unknown>;
  computed: Record<string, unknown>;
}

/** A deep copy of the readable tiers of `data` (not the computed fingerprints). */
export function snapshot(data: StateData): StateSnapshot {
  // structuredClone defines each key as data, so a "__proto__" key stays a plain key
  return structuredClone({
    inputs: data.inputs,
    state: data.state,
    global: data.global,
    computed: data.computed,
  });
}
