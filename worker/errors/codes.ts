/**
 * @module
 * The one place that decides what an error code means at the edge: its class, and from the
 * class the HTTP status. Codes are a closed set (`ErrorCode`, engine/error-codes.ts); both
 * mappings are exhaustive tables the compiler checks, so a new code does not compile until it is
 * classified here. Classification is a pure lookup: no I/O, no messages built here.
 */
import type { ErrorCode } from "../../engine/errors.ts";

export { type RuntimeCode, RuntimeCodes } from "../../engine/runtime-error-codes.ts";

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
  | "rate_limited"
  | "internal";

/**
 * The class of every code. `satisfies Record<ErrorCode, ErrorClass>` makes it exhaustive: a code
 * missing here, or a key that is not a code, is a compile error.
 */
export const ERROR_CLASS_OF = {
  "admin.invalid_token": "unauthenticated",
  "admin.not_configured": "unavailable",
  "auth.insufficient_scope": "forbidden",
  "audit.invalid_cursor": "invalid_input",
  "runs.invalid_cursor": "invalid_input",
  "events.chain_depth_exceeded": "conflict",
  "events.chain_budget_exceeded": "conflict",
  "auth.invalid_key": "unauthenticated",
  "auth.invalid_token": "unauthenticated",
  "auth.missing_key": "unauthenticated",
  "auth.sign_in_links_exhausted": "conflict",
  "check.loop_condition_constant": "invalid_workflow",
  "check.loop_outside_loop": "invalid_workflow",
  "check.missing_secret": "invalid_workflow",
  "check.skipped": "invalid_workflow",
  "check.truncated": "invalid_workflow",
  "check.unreachable_step": "invalid_workflow",
  "check.unresolved_name": "invalid_workflow",
  // only the CLI reports it; it never reaches HTTP
  "cli.read_failed": "invalid_input",
  "deprecated.batch_state_update": "invalid_workflow",
  "deprecated.break_outside_loop": "invalid_workflow",
  "deprecated.legacy_path": "invalid_workflow",
  "deprecated.loop_steps": "invalid_workflow",
  "deprecated.missing_step_id": "invalid_workflow",
  "deprecated.missing_version": "invalid_workflow",
  "deprecated.output_format": "invalid_workflow",
  "deprecated.raw_tier": "invalid_workflow",
  "deprecated.schema_version": "invalid_workflow",
  "deprecated.shell_output_value": "invalid_workflow",
  "deprecated.state_update_step": "invalid_workflow",
  "deprecated.then_else": "invalid_workflow",
  "deprecated.while_type": "invalid_workflow",
  "event.start_failed": "internal",
  "events.invalid_cursor": "invalid_input",
  "events.invalid_payload": "invalid_input",
  // only ever an event log entry's error: the intake call's filter work budget was spent (match-budget.ts)
  "events.match_budget_exceeded": "conflict",
  "events.reserved_type": "invalid_input",
  "events.reserved_id": "invalid_input",
  "events.too_large": "too_large",
  // an effect's failure is a step's failure: it reaches callers only inside a run's error
  "external.circuit_open": "unavailable",
  "external.egress_refused": "forbidden",
  "external.failed": "unavailable",
  "external.http_status": "unavailable",
  "external.invalid_params": "invalid_input",
  "external.invalid_result": "invalid_input",
  "external.no_plugin": "invalid_workflow",
  "external.no_service": "invalid_workflow",
  "external.timeout": "unavailable",
  "external.too_large": "too_large",
  "expression.budget_exceeded": "invalid_workflow",
  // the worker's expression checker failing is not the file's fault: retry
  "expression.checker_unavailable": "unavailable",
  // the engine's own misuse of a disposed evaluator, never the workflow's fault
  "expression.disposed": "internal",
  "expression.env_not_allowed": "invalid_workflow",
  "expression.forbidden": "invalid_workflow",
  "expression.memory_exceeded": "invalid_workflow",
  // an expression's result past the sandbox's cap (MAX_RESULT_BYTES in quickjs-evaluator.ts)
  "expression.result_too_large": "too_large",
  "expression.runtime": "invalid_workflow",
  "expression.syntax": "invalid_workflow",
  "expression.too_complex": "invalid_workflow",
  "expression.too_long": "invalid_workflow",
  "graph.bad_checkpoint": "internal",
  "graph.bad_items": "invalid_workflow",
  "graph.bad_limit": "internal",
  "graph.bad_priority": "invalid_input",
  "graph.bad_task_name": "invalid_input",
  "graph.branch_failed": "invalid_input",
  "graph.claim_expired": "invalid_input",
  "graph.condition_failed": "invalid_workflow",
  "graph.cycle": "invalid_input",
  "graph.duplicate_need": "invalid_input",
  "graph.duplicate_task": "invalid_input",
  "graph.dynamic_cycle": "invalid_input",
  "graph.edge_into_finished": "conflict",
  "graph.internal": "internal",
  "graph.invalid_task": "invalid_input",
  "graph.no_items_resolver": "invalid_input",
  "graph.not_claimed": "conflict",
  "graph.not_found": "not_found",
  "graph.self_edge": "invalid_input",
  "graph.stale_claim": "conflict",
  "graph.task_failed": "invalid_input",
  "graph.too_large": "too_large",
  "graph.unknown_task": "invalid_input",
  "graph.unreachable": "invalid_input",
  "hooks.unknown_endpoint": "not_found",
  "input.invalid": "invalid_input",
  "input.too_deep": "invalid_input",
  "internal.error": "internal",
  "key.not_found": "not_found",
  "loader.alias_limit": "invalid_workflow",
  "loader.bad_version": "invalid_workflow",
  "loader.break_outside_loop": "invalid_workflow",
  "loader.computed_cycle": "invalid_workflow",
  "loader.dependency_cycle": "invalid_workflow",
  "loader.duplicate_key": "invalid_workflow",
  "loader.duplicate_step_id": "invalid_workflow",
  "loader.internal_error": "invalid_workflow",
  "loader.invalid_path": "invalid_workflow",
  "loader.invalid_type": "invalid_workflow",
  "loader.invalid_value": "invalid_workflow",
  "loader.missing_field": "invalid_workflow",
  "loader.multiple_documents": "invalid_workflow",
  "loader.not_a_mapping": "invalid_workflow",
  "loader.read_only_path": "invalid_workflow",
  "loader.too_deep": "invalid_workflow",
  "loader.too_large": "invalid_workflow",
  "loader.unknown_dependency": "invalid_workflow",
  "loader.unknown_key": "invalid_workflow",
  "loader.unknown_step_type": "invalid_workflow",
  "loader.unknown_sub_agent_task": "invalid_workflow",
  "loader.upgrade_failed": "invalid_workflow",
  "loader.yaml_syntax": "invalid_workflow",
  "loader.yaml_warning": "invalid_workflow",
  // workflow packages (docs/versioning.md, "Export and import")
  "package.checksum_mismatch": "invalid_input",
  "package.keys_misconfigured": "unavailable",
  "package.malformed": "invalid_input",
  "package.pin_mismatch": "invalid_workflow",
  "package.plugin_unavailable": "invalid_workflow",
  "package.signature_invalid": "invalid_input",
  "package.signature_required": "forbidden",
  "package.too_large": "too_large",
  "package.untrusted_key": "forbidden",
  "migrate.not_possible": "conflict",
  "migrate.nothing_to_roll_back": "conflict",
  "migrate.run_moved": "conflict",
  "migrate.same_version": "conflict",
  // publish-time plugin resolution and checks (docs/plugins.md, "Versions, services and publish-time checks")
  "plugin.invalid_params": "invalid_workflow",
  "plugin.invalid_uses": "invalid_workflow",
  "plugin.no_matching_version": "invalid_workflow",
  "plugin.unknown": "invalid_workflow",
  "plugin.unknown_method": "invalid_workflow",
  "plugin.wrong_role": "invalid_workflow",
  // a tenant quota: the path names it (docs/operations.md "Quotas"); not a rate limit, waiting does not help
  "quota.exceeded": "conflict",
  "quota.stored_runs": "conflict",
  // a rate limit of the tenant or its key (docs/operations.md, "Rate limits"): 429 with Retry-After
  "ratelimit.batch_too_large": "too_large",
  "ratelimit.exceeded": "rate_limited",
  "request.invalid_body": "invalid_input",
  "request.invalid_json": "invalid_input",
  "request.too_large": "too_large",
  "route.not_found": "not_found",
  "run.bad_reference": "invalid_input",
  "run.break_outside_loop": "invalid_input",
  "run.cancelled": "invalid_input",
  "run.continue_outside_loop": "invalid_input",
  // only ever a failed run's error: the run spent its work allowance and accepts nothing more
  "run.cpu_exceeded": "conflict",
  "run.exists": "conflict",
  "run.failed": "invalid_input",
  "run.graph_mismatch": "internal",
  "run.graph_missing": "internal",
  "run.nested_dependency_flow": "invalid_input",
  "run.nested_parallel_foreach": "invalid_input",
  "run.not_found": "not_found",
  "run.not_running": "conflict",
  "run.step_not_pending": "conflict",
  "run.task_id_required": "invalid_input",
  "run.task_not_found": "not_found",
  "run.timeout": "invalid_input",
  "run.unknown_event": "invalid_input",
  "run.unknown_sub_agent_task": "invalid_input",
  "run.unsupported_step": "invalid_input",
  "schedule.bad_catchup": "invalid_workflow",
  "schedule.bad_cron": "invalid_workflow",
  "schedule.bad_jitter": "invalid_workflow",
  // the runtime passed a non-finite clock to the cron evaluator: a bug, not the file's fault
  "schedule.bad_time": "internal",
  "schedule.bad_timezone": "invalid_workflow",
  "secret.invalid_name": "invalid_input",
  // a capability field with a {{ }} that is not {{ env.NAME }} (docs/dialect.md, "Secrets")
  "secret.invalid_reference": "invalid_workflow",
  "secret.invalid_value": "invalid_input",
  "secret.not_found": "not_found",
  "secrets.limit_reached": "conflict",
  "secrets.not_configured": "unavailable",
  "secrets.undecryptable": "unavailable",
  "service.conflict": "invalid_workflow",
  "service.invalid_config": "invalid_workflow",
  "service.limit_reached": "conflict",
  "service.not_found": "not_found",
  "service.unknown": "invalid_workflow",
  "settings.invalid": "invalid_input",
  // engine/versions: a run that cannot move to another version (docs/versioning.md, Migrations)
  "migrate.bad_operation": "invalid_workflow",
  "migrate.bad_range": "invalid_workflow",
  "migrate.bad_script": "invalid_workflow",
  "migrate.computed_failed": "conflict",
  "migrate.graph_running": "conflict",
  "migrate.input_missing": "conflict",
  "migrate.operation_failed": "conflict",
  "migrate.run_finished": "conflict",
  "migrate.scope_changed": "conflict",
  "migrate.script_failed": "conflict",
  "migrate.script_result": "conflict",
  "migrate.state_too_large": "too_large",
  "migrate.step_changed": "conflict",
  "migrate.step_missing": "conflict",
  "migrate.step_moved": "conflict",
  "migrate.type_mismatch": "conflict",
  "migrate.workflow_mismatch": "invalid_input",
  "state.computed_cycle": "invalid_input",
  "state.computed_failed": "invalid_input",
  "state.forbidden_key": "invalid_input",
  "state.index_out_of_range": "invalid_input",
  "state.invalid_input": "invalid_input",
  "state.invalid_operation": "invalid_input",
  "state.invalid_path": "invalid_input",
  "state.missing_input": "invalid_input",
  "state.read_only": "forbidden",
  // a write that would take a run's state past its cap (docs/runtime.md, "Limits")
  "storage.corrupt": "internal",
  "state.too_large": "too_large",
  "state.type_mismatch": "invalid_input",
  "state.unknown_input": "invalid_input",
  "state.unknown_scope": "invalid_input",
  "step.failed": "invalid_input",
  "step.invalid_items": "invalid_input",
  "step.invalid_result": "invalid_input",
  "step.invalid_wait": "invalid_input",
  "step.max_iterations": "invalid_input",
  "step.no_dependencies": "invalid_input",
  "step.sub_agent_failed": "invalid_input",
  "step.timeout": "invalid_input",
  "step.validation_failed": "invalid_input",
  "subscription.bad_endpoint": "invalid_workflow",
  "subscription.bad_pattern": "invalid_workflow",
  "subscription.duplicate_id": "invalid_workflow",
  "subscription.from_trigger": "conflict",
  "subscription.limit_reached": "conflict",
  "subscription.not_found": "not_found",
  "subscription.too_many_secrets": "invalid_workflow",
  "template.empty": "invalid_workflow",
  "template.unclosed": "invalid_workflow",
  "tenant.deleting": "conflict",
  "tenant.exists": "conflict",
  "tenant.invalid_id": "invalid_input",
  "tenant.not_found": "not_found",
  // the operator suspended the tenant: 403 on /mcp and /events; /hooks answers 503 + Retry-After instead
  "tenant.suspended": "forbidden",
  "webhook.bad_body": "invalid_input",
  "webhook.bad_secret": "unauthenticated",
  "webhook.bad_signature": "unauthenticated",
  "webhook.body_too_large": "too_large",
  "webhook.future_timestamp": "unauthenticated",
  "webhook.malformed_header": "unauthenticated",
  "webhook.missing_signature": "unauthenticated",
  "webhook.stale_timestamp": "unauthenticated",
  "webhook.unknown_scheme": "unauthenticated",
  "workflow.invalid": "invalid_workflow",
  "workflow.not_found": "not_found",
  "workflow.version_exists": "conflict",
  "workflow.version_yanked": "conflict",
  "workflow.yank_refused": "conflict",
  "publish.breaking_change": "conflict",
  "version.deprecated_feature": "invalid_workflow",
} as const satisfies Record<ErrorCode, ErrorClass>;

export function classifyCode(code: ErrorCode): ErrorClass {
  return ERROR_CLASS_OF[code];
}

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

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
    case "rate_limited":
      return 429;
    case "internal":
      return 500;
  }
}
