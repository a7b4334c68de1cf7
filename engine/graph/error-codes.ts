/**
 * @module
 * Codes of dependency graphs (docs/graphs.md): a graph that does not validate, and scheduler calls that do not fit the graph's state.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const GRAPH_CODES = [
  "graph.bad_checkpoint",
  "graph.bad_items",
  "graph.bad_limit",
  "graph.bad_priority",
  "graph.bad_task_name",
  "graph.branch_failed",
  "graph.claim_expired",
  "graph.condition_failed",
  "graph.cycle",
  "graph.duplicate_need",
  "graph.duplicate_task",
  "graph.dynamic_cycle",
  "graph.edge_into_finished",
  "graph.internal",
  "graph.invalid_task",
  "graph.no_items_resolver",
  "graph.not_claimed",
  "graph.self_edge",
  "graph.stale_claim",
  "graph.task_failed",
  "graph.too_large",
  "graph.unknown_task",
  "graph.unreachable",
] as const;

export type GraphCode = (typeof GRAPH_CODES)[number];
