/**
 * @module
 * The names a state path or an expression may start with, in one list: the path resolver
 * (paths.ts), the expression bindings (scope.ts) and the loader's check of written paths
 * (engine/loader/checks/state-paths.ts) all read them from here. Data only.
 */

/** The scopes an expression or path can name (after legacy roots are mapped). */
export const SCOPE_NAMES = ["this", "global", "inputs", "loop", "config", "event", "tasks"] as const;
export type ScopeName = (typeof SCOPE_NAMES)[number];

/** Roots of the phase-5 dialect, still read: `state.` and `computed.` are `this.`; `raw.x` is `inputs.x` or `this.x`. */
export const LEGACY_ROOTS = ["state", "computed", "raw"] as const;

/** Every root a path may be written with: a scope or a legacy root. */
export const PATH_ROOTS = [...SCOPE_NAMES, ...LEGACY_ROOTS] as const;
/** A root as written: a scope, or one of the legacy roots `state`, `computed`, `raw`. */
export type PathRoot = (typeof PATH_ROOTS)[number];

/** The roots a step may write under: `this.` and `global.`, and the legacy `state.` and `raw.`. */
export const WRITABLE_ROOTS = ["this", "global", "state", "raw"] as const satisfies readonly PathRoot[];
