/**
 * @module
 * Builds the MCP server for one request of one tenant (the handler is stateless: a fresh server
 * per request, tools bound to the tenant the API key resolved to).
 */
import { McpServer } from "@modelcontextprotocol/server";
import { ALL_SCOPES } from "../oauth/scopes.ts";
import { registerTools, type TenantScope, type ToolDefinition } from "./tool-kit.ts";
import { withScopeChecks } from "./tool-scopes.ts";
import { workflowAudit } from "./tools/audit.ts";
import { workflowPublish, workflowValidate } from "./tools/authoring.ts";
import { workflowGetInfo, workflowList } from "./tools/catalog.ts";
import { serviceCircuits } from "./tools/circuits.ts";
import { workflowEvents } from "./tools/events.ts";
import { workflowGraph } from "./tools/graph.ts";
import { workflowListActive } from "./tools/list-active.ts";
import { workflowMigrate, workflowMigrateRollback, workflowMigrateRuns } from "./tools/migrate.ts";
import { workflowExport, workflowImport } from "./tools/packages.ts";
import { pluginList } from "./tools/plugins.ts";
import { workflowQuota } from "./tools/quota.ts";
import { workflowSetDefault, workflowUnyank, workflowYank } from "./tools/release.ts";
import { workflowListRuns, workflowRunHistory } from "./tools/run-history.ts";
import { workflowCancel, workflowGetStatus, workflowStart } from "./tools/runs.ts";
import { serviceDelete, serviceList, serviceRegister } from "./tools/services.ts";
import { workflowStateRead, workflowStateUpdate } from "./tools/state.ts";
import { workflowGetNextStep, workflowStepComplete } from "./tools/steps.ts";
import {
  workflowListSubscriptions,
  workflowSubscribeEvents,
  workflowUnsubscribe,
} from "./tools/subscriptions.ts";

export const SERVER_INFO = { name: "edgeflow", version: "0.1.0" } as const;

const INSTRUCTIONS =
  "edgeflow runs YAML workflows for you. Typical loop: workflow_list (or workflow_publish your YAML) → " +
  "workflow_start → repeat workflow_get_next_step, do what each step says, workflow_step_complete → until the " +
  "run reports completed. A failed call comes back with isError and its text content is JSON " +
  "{error: {code, message, path?}} (workflow_publish adds errors and warnings with line:column).";

export const TOOLS: readonly ToolDefinition[] = [
  workflowPublish,
  workflowValidate,
  workflowList,
  workflowGetInfo,
  workflowStart,
  workflowGetNextStep,
  workflowStepComplete,
  workflowGetStatus,
  workflowStateRead,
  workflowStateUpdate,
  workflowListActive,
  workflowCancel,
  workflowSubscribeEvents,
  workflowUnsubscribe,
  workflowListSubscriptions,
  workflowEvents,
  workflowGraph,
  pluginList,
  serviceRegister,
  serviceList,
  serviceDelete,
  serviceCircuits,
  workflowAudit,
  workflowSetDefault,
  workflowYank,
  workflowUnyank,
  workflowQuota,
  workflowExport,
  workflowImport,
  workflowListRuns,
  workflowRunHistory,
  workflowMigrate,
  workflowMigrateRuns,
  workflowMigrateRollback,
];

/**
 * `granted`: the OAuth scopes of the caller's token (worker/mcp/tool-scopes.ts); an API key
 * holds them all, and then no tool is wrapped. `calledTools`: when the request is nothing but
 * `tools/call`s (rate-limits/mcp-admission.ts read its body), the names it calls: only those tools
 * are put on the server, as nothing else of it can be reached by this request (a server is built
 * per request). Registering all of them, with their schemas, is a measurable share of a
 * `workflow_get_next_step` (docs/runtime.md, "The MCP hot path"). A body naming no known tool gets
 * every tool, so the SDK answers an unknown name exactly as it always has.
 */
export function createEdgeflowServer(
  scope: TenantScope,
  granted: readonly string[] = ALL_SCOPES,
  calledTools?: readonly string[],
): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  const allowed = ALL_SCOPES.every((needed) => granted.includes(needed));
  const tools = toolsServing(calledTools);
  registerTools(server, allowed ? tools : withScopeChecks(tools, granted), scope);
  return server;
}

export function toolsServing(calledTools: readonly string[] | undefined): readonly ToolDefinition[] {
  if (calledTools === undefined) return TOOLS;
  const called = TOOLS.filter((tool) => calledTools.includes(tool.name));
  return called.length === 0 ? TOOLS : called;
}
