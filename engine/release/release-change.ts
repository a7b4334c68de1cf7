/**
 * @module
 * The words of a workflow's release controls, shared by the MCP tools (worker/mcp/tools/release.ts)
 * and the TenantDO that applies them (durable-objects/tenant/workflow-release.ts): the changes,
 * the state they answer, and their limits. Data only.
 */

/** `workflow_set_default`'s word for "follow the highest non-yanked version again". */
export const FOLLOW_LATEST = "latest";

/** The longest yank reason accepted. */
export const MAX_YANK_REASON = 500;

export type ReleaseChange =
  | { action: "set_default"; workflow: string; version: string }
  | { action: "yank"; workflow: string; version: string; reason?: string }
  | { action: "unyank"; workflow: string; version: string };

export interface YankedVersion {
  version: string;
  reason?: string;
  yanked_at: string;
}

/** A workflow's release state, as the release tools and `workflow_get_info` answer it. */
export interface ReleaseState {
  workflow: string;
  default_version: string;
  /** true when `workflow_set_default` pinned it; false when it follows the highest non-yanked version */
  default_pinned: boolean;
  yanked: YankedVersion[];
}
