/**
 * @module
 * The documented limits of a dependency graph. A graph past a limit is refused before any work
 * proportional to it is done (`graph.too_large`), so a hostile definition cannot make a
 * Durable Object spend its memory or CPU budget.
 */

/** Most tasks a graph may hold, counting dynamic tasks and `for_each` branches added at run time. */
export const MAX_GRAPH_TASKS = 200_000;

/** Most edges (`needs` entries) a graph may hold, counting dynamic edges. */
export const MAX_GRAPH_EDGES = 1_000_000;

/** Priorities are integers in [MIN_PRIORITY, MAX_PRIORITY]. */
export const MIN_PRIORITY = -1_000_000;
export const MAX_PRIORITY = 1_000_000;

/** Cycles listed by one validation (each is one diagnostic); more are summarised. */
export const MAX_REPORTED_CYCLES = 20;

/** Times a claim may expire before the task fails with `graph.claim_expired` (default of `expireClaims`). */
export const DEFAULT_MAX_EXPIRATIONS = 3;
