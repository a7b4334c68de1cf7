/**
 * @module
 * The calls of the client matrix (test/e2e/client-matrix.test.ts): every edgeflow tool once on a
 * success path and once on an error path, in an order one client can make them one after the
 * other. The ids a call needs (a run with a step handed out, a subscription to remove) are made
 * for each client beforehand, so the list is fixed and a client can take it in one batch.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../../engine/audit/canonical-json.ts";
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION } from "../../../engine/packages/package-format.ts";

export const HELLO = `name: "matrix:hello"
description: "Greets, asks the agent for a number, reports it"
version: "1.0.0"
inputs:
  name:
    type: "string"
    description: "Who to greet"
default_state:
  state:
    n: 0
steps:
  - id: "greet"
    type: "user_message"
    message: "Hello {{ inputs.name }}"
  - id: "ask"
    type: "mcp_call"
    tool: "pick_number"
    state_update:
      path: "this.n"
      value: "{{ result.n }}"
  - id: "report"
    type: "user_message"
    message: "You picked {{ this.n }}"
`;

/** matrix:hello at 1.1.0 (the same steps): the latest, so runs start on it and migrate to 1.0.0. */
export const HELLO_V2 = HELLO.replace('version: "1.0.0"', 'version: "1.1.0"');

export const GRAPH = `name: "matrix:graph"
description: "Two reviews, then a summary"
version: "1.0.0"
dependencies:
  review:
    run:
      - id: "review_write"
        type: "agent_prompt"
        prompt: "Review the change"
  summary:
    needs: [review]
    run:
      - id: "summary_write"
        type: "agent_prompt"
        prompt: "Summarise {{ tasks.review.result }}"
steps:
  - id: "run_graph"
    type: "dependency_flow"
`;

/** A second version of GRAPH, so that the release tools have a version to yank. */
export const GRAPH_V2 = GRAPH.replace('version: "1.0.0"', 'version: "1.1.0"');

/** A run id of the right shape that no run has. */
export const UNKNOWN_RUN = "wf_000000000000000000000000";

export interface MatrixCall {
  tool: string;
  path: "success" | "error";
  args: Record<string, unknown>;
  /** success: a field the structured result must have; error: the code it must answer */
  expect: string;
}

/** What each client gets made for it before its calls. */
export interface ClientFixtures {
  /** a run of matrix:hello, just started */
  runId: string;
  /** a subscription of matrix:hello, for workflow_unsubscribe to remove */
  subscriptionId: string;
  /** a service name of this client's own, registered then deleted by its calls */
  serviceName: string;
}

const ok = (tool: string, args: Record<string, unknown>, expect: string): MatrixCall => ({
  tool,
  path: "success",
  args,
  expect,
});
const fail = (tool: string, args: Record<string, unknown>, expect: string): MatrixCall => ({
  tool,
  path: "error",
  args,
  expect,
});

/** Every tool's success and error call, for one client's fixtures. */
export function matrixCalls({ runId, subscriptionId, serviceName }: ClientFixtures): MatrixCall[] {
  return [
    ok("workflow_publish", { yaml: HELLO }, "workflow"),
    fail(
      "workflow_publish",
      { yaml: 'name: "matrix:broken"\nversion: "1.0.0"\nsteps: 7\n' },
      "workflow.invalid",
    ),
    ok("workflow_validate", { yaml: HELLO }, "valid"),
    fail("workflow_validate", {}, "input.invalid"),
    ok("workflow_list", {}, "workflows"),
    fail("workflow_list", { unexpected: true }, "input.invalid"),
    ok("workflow_get_info", { workflow: "matrix:hello" }, "inputs"),
    fail("workflow_get_info", { workflow: "matrix:missing" }, "workflow.not_found"),
    ok("workflow_start", { workflow: "matrix:hello", inputs: { name: "Ada" } }, "workflow_id"),
    fail("workflow_start", { workflow: "matrix:missing" }, "workflow.not_found"),
    ok("workflow_get_next_step", { workflow_id: runId }, "steps"),
    fail("workflow_get_next_step", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok("workflow_step_complete", { workflow_id: runId, step_id: "ask", result: { n: 7 } }, "workflow_id"),
    fail("workflow_step_complete", { workflow_id: UNKNOWN_RUN, step_id: "ask" }, "run.not_found"),
    ok("workflow_get_status", { workflow_id: runId }, "status"),
    fail("workflow_get_status", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok("workflow_state_read", { workflow_id: runId }, "state"),
    fail("workflow_state_read", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok(
      "workflow_state_update",
      { workflow_id: runId, updates: [{ path: "this.n", value: 8 }] },
      "updates_applied",
    ),
    fail(
      "workflow_state_update",
      { workflow_id: UNKNOWN_RUN, updates: [{ path: "this.n", value: 8 }] },
      "run.not_found",
    ),
    ok("workflow_list_active", {}, "workflows"),
    fail("workflow_list_active", { unexpected: true }, "input.invalid"),
    ok("workflow_migrate", { workflow_id: runId, to_version: "1.0.0", dry_run: false }, "migrated"),
    fail("workflow_migrate", { workflow_id: UNKNOWN_RUN, to_version: "1.1.0" }, "run.not_found"),
    ok("workflow_migrate_rollback", { workflow_id: runId }, "restored_version"),
    fail("workflow_migrate_rollback", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok(
      "workflow_migrate_runs",
      { workflow: "matrix:hello", from_version: "1.1.0", to_version: "1.0.0" },
      "totals",
    ),
    fail(
      "workflow_migrate_runs",
      { workflow: "matrix:hello", from_version: "1.0.0", to_version: "1.0.0" },
      "migrate.same_version",
    ),
    ok("workflow_cancel", { workflow_id: runId, reason: "client matrix" }, "status"),
    fail("workflow_cancel", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok(
      "workflow_subscribe_events",
      { event_pattern: "matrix.*", workflow: "matrix:hello" },
      "subscription_id",
    ),
    fail(
      "workflow_subscribe_events",
      { event_pattern: "matrix.*", workflow: "matrix:missing" },
      "workflow.not_found",
    ),
    ok("workflow_unsubscribe", { subscription_id: subscriptionId }, "subscription_id"),
    fail("workflow_unsubscribe", { subscription_id: "sub_missing" }, "subscription.not_found"),
    ok("workflow_list_subscriptions", { workflow: "matrix:hello" }, "subscriptions"),
    fail("workflow_list_subscriptions", { unexpected: true }, "input.invalid"),
    ok("workflow_events", { limit: 5 }, "events"),
    fail("workflow_events", { limit: 0 }, "input.invalid"),
    ok("workflow_graph", { workflow: "matrix:graph" }, "mermaid"),
    fail("workflow_graph", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
    ok("plugin_list", { name: "http" }, "plugins"),
    fail("plugin_list", { unexpected: true }, "input.invalid"),
    ok(
      "service_register",
      { name: serviceName, uses: "http@^1", config: { base_url: "https://example.com" } },
      "service",
    ),
    fail("service_register", { name: "matrix_missing", uses: "nope@^1" }, "plugin.unknown"),
    ok("service_list", {}, "services"),
    fail("service_list", { unexpected: true }, "input.invalid"),
    ok("service_circuits", {}, "circuits"),
    fail("service_circuits", { unexpected: true }, "input.invalid"),
    ok("service_delete", { name: serviceName }, "deleted"),
    fail("service_delete", { name: "matrix_missing" }, "service.not_found"),
    ok("workflow_set_default", { workflow: "matrix:graph", version: "latest" }, "default_version"),
    fail("workflow_set_default", { workflow: "matrix:graph", version: "9.9.9" }, "workflow.not_found"),
    ok("workflow_yank", { workflow: "matrix:graph", version: "1.0.0", reason: "client matrix" }, "yanked"),
    fail("workflow_yank", { workflow: "matrix:graph", version: "9.9.9" }, "workflow.not_found"),
    ok("workflow_unyank", { workflow: "matrix:graph", version: "1.0.0" }, "yanked"),
    fail("workflow_unyank", { workflow: "matrix:missing", version: "1.0.0" }, "workflow.not_found"),
    ok("workflow_audit", { limit: 5 }, "entries"),
    fail("workflow_audit", { cursor: "not-a-cursor" }, "audit.invalid_cursor"),
    ok("workflow_quota", {}, "quotas"),
    fail("workflow_quota", { unexpected: true }, "input.invalid"),
    ok("workflow_export", { workflow: "matrix:hello" }, "yaml"),
    fail("workflow_export", { workflow: "matrix:missing", format: "package" }, "workflow.not_found"),
    // matrix:hello 1.0.0 as published above: importing it again is a no-op
    ok("workflow_import", { package: helloPackage() }, "versions"),
    fail("workflow_import", { package: { format: "zip" } }, "package.malformed"),
    ok("workflow_list_runs", { limit: 5 }, "runs"),
    fail("workflow_list_runs", { cursor: "not-a-cursor" }, "runs.invalid_cursor"),
    ok("workflow_run_history", { workflow_id: runId }, "entries"),
    fail("workflow_run_history", { workflow_id: UNKNOWN_RUN }, "run.not_found"),
  ];
}

/** An unsigned package of HELLO, its checksums computed as engine/packages/package-checksums.ts does. */
function helloPackage(): Record<string, unknown> {
  const sha256 = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex");
  const entry = { version: "1.0.0", yaml: HELLO, migrations: [], plugins: [] };
  const body = {
    format: PACKAGE_FORMAT,
    format_version: PACKAGE_FORMAT_VERSION,
    workflow: "matrix:hello",
    versions: [{ ...entry, sha256: sha256(entry) }],
  };
  return { ...body, sha256: sha256(body) };
}
