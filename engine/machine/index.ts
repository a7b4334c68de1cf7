/**
 * @module
 * The step machine: a pure function from (definition, run, event, context) to (run, answer).
 * Runtimes checkpoint `Transition.run` after every call and wake at `nextWakeAt(run)`.
 */
export { type RunSnapshot, type SnapshotOptions, snapshotRun } from "./snapshot.ts";
export { nextWakeAt } from "./timers.ts";
export { type StartOptions, startRun, transition } from "./transition.ts";
export type * from "./types.ts";
