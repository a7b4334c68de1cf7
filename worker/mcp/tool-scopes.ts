/**
 * @module
 * Which OAuth scope each MCP tool needs (docs/auth.md, "Scopes"), and the wrapper that refuses a
 * call whose token lacks it with the tool error `auth.insufficient_scope` naming the scope. API
 * keys hold every scope, so only OAuth-granted tokens are ever refused here. A test checks that
 * every tool in `TOOLS` has an entry.
 */
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { type Scope, Scopes } from "../oauth/scopes.ts";
import type { ToolDefinition } from "./tool-kit.ts";

const { runsRead, runsDrive, workflowsPublish } = Scopes;

export const TOOL_SCOPES: Readonly<Record<string, Scope>> = {
  workflow_publish: workflowsPublish,
  workflow_validate: runsRead,
  workflow_list: runsRead,
  workflow_get_info: runsRead,
  workflow_start: runsDrive,
  workflow_get_next_step: runsDrive,
  workflow_step_complete: runsDrive,
  workflow_get_status: runsRead,
  workflow_state_read: runsRead,
  workflow_state_update: runsDrive,
  workflow_list_active: runsRead,
  workflow_cancel: runsDrive,
  workflow_subscribe_events: workflowsPublish,
  workflow_unsubscribe: workflowsPublish,
  workflow_list_subscriptions: runsRead,
  workflow_events: runsRead,
  workflow_graph: runsRead,
  plugin_list: runsRead,
  service_register: workflowsPublish,
  service_list: runsRead,
  service_delete: workflowsPublish,
  service_circuits: runsRead,
  workflow_quota: runsRead,
  workflow_list_runs: runsRead,
  workflow_run_history: runsRead,
  // a tenant-admin read: who changed what, by key id; only for connections trusted with changes
  workflow_audit: workflowsPublish,
  workflow_export: runsRead,
  workflow_import: workflowsPublish,
  workflow_set_default: workflowsPublish,
  workflow_yank: workflowsPublish,
  workflow_unyank: workflowsPublish,
  // a release operation: it changes which workflow code live runs follow (docs/auth.md)
  workflow_migrate: workflowsPublish,
  workflow_migrate_runs: workflowsPublish,
  workflow_migrate_rollback: workflowsPublish,
};

/** The scope `toolName` needs; a tool missing from the table needs one no token has. */
export function scopeOfTool(toolName: string): Scope | undefined {
  return Object.hasOwn(TOOL_SCOPES, toolName) ? TOOL_SCOPES[toolName] : undefined;
}

/** The tools, each refusing to run unless `granted` holds its scope. */
export function withScopeChecks(
  tools: readonly ToolDefinition[],
  granted: readonly string[],
): ToolDefinition[] {
  return tools.map((tool) => ({
    ...tool,
    run: (args, scope) => {
      const needed = scopeOfTool(tool.name);
      if (needed === undefined || !granted.includes(needed)) {
        throw new EngineError(
          RuntimeCodes.authInsufficientScope,
          `${tool.name} needs the OAuth scope "${needed ?? "(none defined)"}", which this connection was not granted; ` +
            `remove and add the connector again and approve "${needed ?? ""}" on the consent page, or use an API key.`,
        );
      }
      return tool.run(args, scope);
    },
  }));
}
