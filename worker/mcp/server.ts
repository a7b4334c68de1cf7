/**
 * @module
 * Builds the MCP server for one request of one tenant (the handler is stateless: a fresh server
 * per request, tools bound to the tenant the API key resolved to).
 */
import { McpServer } from "@modelcontextprotocol/server";
import { registerTools, type TenantScope, type ToolDefinition } from "./tool-kit.ts";
import { workflowPublish, workflowValidate } from "./tools/authoring.ts";
import { workflowGetInfo, workflowList } from "./tools/catalog.ts";
import { serviceCircuits } from "./tools/circuits.ts";
import { workflowEvents } from "./tools/events.ts";
import { workflowGraph } from "./tools/graph.ts";
import { workflowListActive } from "./tools/list-active.ts";
import { pluginList } from "./tools/plugins.ts";
import { workflowQuota } from "./tools/quota.ts";
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
  "run reports completed. Errors come back with isError and {error: {code, message, path?}}.";

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
  workflowQuota,
];

export function createEdgeflowServer(scope: TenantScope): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  registerTools(server, TOOLS, scope);
  return server;
}
