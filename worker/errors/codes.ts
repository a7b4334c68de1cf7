/**
 * @module
 * The one place that decides what an error code means at the edge: its class, and from the
 * class the HTTP status. Codes are stable dotted strings (`run.not_found`); the engine's codes
 * and the runtime's own are classified by the same function. Classification is a pure lookup:
 * no I/O, no messages built here.
 */

/** What kind of failure a code is; decides HTTP status and whether the caller can fix it. */
export type ErrorClass =
  | "invalid_input"
  | "invalid_workflow"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unavailable"
  | "internal";

/**
 * Codes raised by the runtime itself, in the worker and in the DOs (the engine raises its own,
 * classified below by prefix). The DOs cannot import the worker, so they spell these out.
 */
export const RuntimeCodes = {
  requestInvalidJson: "request.invalid_json",
  requestInvalidBody: "request.invalid_body",
  requestTooLarge: "request.too_large",
  routeNotFound: "route.not_found",
  authMissingKey: "auth.missing_key",
  authInvalidKey: "auth.invalid_key",
  adminNotConfigured: "admin.not_configured",
  adminInvalidToken: "admin.invalid_token",
  tenantInvalidId: "tenant.invalid_id",
  tenantNotFound: "tenant.not_found",
  tenantExists: "tenant.exists",
  keyNotFound: "key.not_found",
  inputInvalid: "input.invalid",
  workflowNotFound: "workflow.not_found",
  workflowVersionExists: "workflow.version_exists",
  workflowInvalid: "workflow.invalid",
  runNotFound: "run.not_found",
  hooksUnknownEndpoint: "hooks.unknown_endpoint",
  webhookBodyTooLarge: "webhook.body_too_large",
  eventsReservedType: "events.reserved_type",
  eventsInvalidPayload: "events.invalid_payload",
  eventsTooLarge: "events.too_large",
  eventsInvalidCursor: "events.invalid_cursor",
  secretsNotConfigured: "secrets.not_configured",
  secretInvalidName: "secret.invalid_name",
  secretInvalidValue: "secret.invalid_value",
  expressionCheckerUnavailable: "expression.checker_unavailable",
  internal: "internal.error",
} as const;

export type RuntimeCode = (typeof RuntimeCodes)[keyof typeof RuntimeCodes];

const EXACT: Readonly<Record<string, ErrorClass>> = {
  [RuntimeCodes.requestInvalidJson]: "invalid_input",
  [RuntimeCodes.requestInvalidBody]: "invalid_input",
  [RuntimeCodes.requestTooLarge]: "too_large",
  [RuntimeCodes.routeNotFound]: "not_found",
  [RuntimeCodes.authMissingKey]: "unauthenticated",
  [RuntimeCodes.authInvalidKey]: "unauthenticated",
  [RuntimeCodes.adminNotConfigured]: "unavailable",
  [RuntimeCodes.adminInvalidToken]: "unauthenticated",
  [RuntimeCodes.tenantExists]: "conflict",
  [RuntimeCodes.workflowVersionExists]: "conflict",
  [RuntimeCodes.workflowInvalid]: "invalid_workflow",
  [RuntimeCodes.internal]: "internal",
  // engine codes whose class is not implied by their shape
  "run.not_running": "conflict",
  "run.exists": "conflict",
  "run.step_not_pending": "conflict",
  "state.read_only": "forbidden",
  // a write that would take a run's state past its cap (docs/runtime.md, "Limits")
  "state.too_large": "too_large",
  // only ever a failed run's error: the run spent its work allowance and accepts nothing more
  "run.cpu_exceeded": "conflict",
  // dependency graphs (docs/graphs.md); the other graph.* codes are the caller's input
  "graph.too_large": "too_large",
  "graph.stale_claim": "conflict",
  "graph.not_claimed": "conflict",
  "graph.edge_into_finished": "conflict",
  "graph.bad_items": "invalid_workflow",
  "graph.condition_failed": "invalid_workflow",
  "graph.bad_checkpoint": "internal",
  "graph.bad_limit": "internal",
  "graph.internal": "internal",
  "run.graph_missing": "internal",
  "run.graph_mismatch": "internal",
  // events (issue 5): webhook verification failures are 401 with the verifier's code
  "webhook.missing_signature": "unauthenticated",
  "webhook.bad_signature": "unauthenticated",
  "webhook.stale_timestamp": "unauthenticated",
  "webhook.future_timestamp": "unauthenticated",
  "webhook.malformed_header": "unauthenticated",
  "webhook.unknown_scheme": "unauthenticated",
  "webhook.bad_secret": "unauthenticated",
  [RuntimeCodes.webhookBodyTooLarge]: "too_large",
  "webhook.bad_body": "invalid_input",
  [RuntimeCodes.hooksUnknownEndpoint]: "not_found",
  [RuntimeCodes.eventsReservedType]: "invalid_input",
  [RuntimeCodes.eventsInvalidPayload]: "invalid_input",
  // issue 9: a stored event over its cap, a workflow_events cursor that is not one of ours
  [RuntimeCodes.eventsTooLarge]: "too_large",
  [RuntimeCodes.eventsInvalidCursor]: "invalid_input",
  // only ever an event log entry's error: the intake call's filter work budget was spent (match-budget.ts)
  "events.match_budget_exceeded": "conflict",
  "schedule.bad_cron": "invalid_workflow",
  "schedule.bad_timezone": "invalid_workflow",
  "schedule.bad_jitter": "invalid_workflow",
  "schedule.bad_catchup": "invalid_workflow",
  "subscription.bad_endpoint": "invalid_workflow",
  "subscription.bad_pattern": "invalid_workflow",
  "subscription.duplicate_id": "invalid_workflow",
  "subscription.too_many_secrets": "invalid_workflow",
  "subscription.from_trigger": "conflict",
  "subscription.limit_reached": "conflict",
  [RuntimeCodes.secretsNotConfigured]: "unavailable",
  [RuntimeCodes.expressionCheckerUnavailable]: "unavailable",
  // the engine's own misuse of a disposed evaluator, never the workflow's fault
  "expression.disposed": "internal",
  // an expression's result past the sandbox's cap (MAX_RESULT_BYTES in quickjs-evaluator.ts)
  "expression.result_too_large": "too_large",
  "secrets.undecryptable": "unavailable",
  "secrets.limit_reached": "conflict",
  // storage bounds (issue 9): a known tenant setting with a bad value; a start over the stored-runs quota
  "settings.invalid": "invalid_input",
  "quota.stored_runs": "conflict",
  [RuntimeCodes.secretInvalidName]: "invalid_input",
  // a capability field with a {{ }} that is not {{ env.NAME }} (docs/dialect.md, "Secrets")
  "secret.invalid_reference": "invalid_workflow",
  [RuntimeCodes.secretInvalidValue]: "invalid_input",
};

/** Prefixes of codes that describe a problem with a workflow file or an expression or template in it. */
const WORKFLOW_PREFIXES = ["loader.", "dialect.", "expression.", "template.", "deprecated."];

/** Families whose remaining codes describe a request the caller can correct. */
const CALLER_PREFIXES = ["state.", "run.", "step.", "input.", "tenant.", "key.", "workflow.", "graph."];

/**
 * Classifies any code, known or not. Exact entries win; then `*.not_found` and `*_not_found`, workflow-file
 * prefixes, and the remaining families (`state.`, `run.`, `step.`, ...) are the caller's input;
 * anything else is internal.
 */
export function classifyCode(code: string): ErrorClass {
  const exact = EXACT[code];
  if (exact !== undefined) return exact;
  if (/[._]not_found$/.test(code)) return "not_found";
  if (WORKFLOW_PREFIXES.some((prefix) => code.startsWith(prefix))) return "invalid_workflow";
  if (CALLER_PREFIXES.some((prefix) => code.startsWith(prefix))) return "invalid_input";
  return "internal";
}

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 503;

/** The HTTP status of an error class. Exhaustive: a new class does not compile until mapped. */
export function httpStatusOf(errorClass: ErrorClass): HttpErrorStatus {
  switch (errorClass) {
    case "invalid_input":
      return 400;
    case "invalid_workflow":
      return 422;
    case "unauthenticated":
      return 401;
    case "forbidden":
      return 403;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "too_large":
      return 413;
    case "unavailable":
      return 503;
    case "internal":
      return 500;
  }
}
