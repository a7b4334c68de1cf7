/**
 * @module
 * The step machine: a pure function from (definition, run, event, context) to (run, answer).
 * Runtimes checkpoint `Transition.run` after every call, write `Transition.graph`'s changed task
 * records, and wake at `nextWakeAt(run, graph)`.
 */
export { DEFAULT_PARALLEL_LIMIT } from "./dependency-flow/flow-step.ts";
export { MAX_TASK_STARTS_PER_TRANSITION } from "./dependency-flow/session.ts";
export { type GraphSummary, graphSummaryOf } from "./dependency-flow/view.ts";
export type * from "./run-model.ts";
export { type RunSnapshot, snapshotRun } from "./snapshot.ts";
export { nextWakeAt } from "./timers.ts";
export { type StartOptions, startRun, transition } from "./transition.ts";
