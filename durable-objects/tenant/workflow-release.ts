/**
 * @module
 * A workflow's release controls: which version new runs and triggers get (its default), and which
 * versions are yanked. With no pin the default follows the highest non-yanked version, so a new
 * publish moves it; `workflow_set_default` pins one (a rollback that stays put when newer versions
 * are published), and `version: "latest"` drops the pin. A yanked version can be neither the
 * default nor started explicitly, and no trigger starts it; runs already on it go on. A yank never
 * leaves a workflow without a startable version: yanking the pinned default or the last
 * non-yanked version is `workflow.yank_refused`. Rows: `workflow_defaults`, `workflow_yanks`
 * (docs/storage-schema.md); docs/versioning.md, "Default version and yanking".
 */
import { EngineError } from "../../engine/errors.ts";
import {
  FOLLOW_LATEST,
  MAX_YANK_REASON,
  type ReleaseChange,
  type ReleaseState,
} from "../../engine/release/release-change.ts";
import { defaultVersionOf, listVersions, listYanked } from "./workflow-store.ts";

/** Applies `change`; answers whether anything changed. Call inside a transaction. */
export function applyReleaseChange(sql: SqlStorage, change: ReleaseChange, now: number): boolean {
  const { workflow, version } = change;
  if (change.action === "set_default" && version === FOLLOW_LATEST) {
    requireWorkflow(sql, workflow);
    return sql.exec("DELETE FROM workflow_defaults WHERE name = ?", workflow).rowsWritten > 0;
  }
  requireVersion(sql, workflow, version);
  const yanked = isYanked(sql, workflow, version);
  switch (change.action) {
    case "set_default": {
      if (yanked) throw yankedError(workflow, version);
      if (pinnedVersion(sql, workflow) === version) return false;
      sql.exec(
        "INSERT OR REPLACE INTO workflow_defaults (name, version, set_at) VALUES (?, ?, ?)",
        workflow,
        version,
        now,
      );
      return true;
    }
    case "yank": {
      if (yanked) return false;
      refuseYank(sql, workflow, version);
      sql.exec(
        "INSERT INTO workflow_yanks (name, version, reason, yanked_at) VALUES (?, ?, ?, ?)",
        workflow,
        version,
        change.reason?.slice(0, MAX_YANK_REASON) ?? null,
        now,
      );
      return true;
    }
    case "unyank":
      return (
        sql.exec("DELETE FROM workflow_yanks WHERE name = ? AND version = ?", workflow, version).rowsWritten >
        0
      );
  }
}

export function releaseState(sql: SqlStorage, workflow: string): ReleaseState {
  requireWorkflow(sql, workflow);
  const rows = sql
    .exec<{ version: string; reason: string | null; yanked_at: number }>(
      "SELECT version, reason, yanked_at FROM workflow_yanks WHERE name = ?",
      workflow,
    )
    .toArray();
  const byVersion = new Map(rows.map((row) => [row.version, row]));
  return {
    workflow,
    default_version: defaultVersionOf(sql, workflow)!,
    default_pinned: pinnedVersion(sql, workflow) !== undefined,
    yanked: listYanked(sql, workflow).map((version) => {
      const row = byVersion.get(version)!;
      return {
        version,
        ...(row.reason === null ? {} : { reason: row.reason }),
        yanked_at: new Date(row.yanked_at).toISOString(),
      };
    }),
  };
}

export function isYanked(sql: SqlStorage, workflow: string, version: string): boolean {
  return (
    sql.exec("SELECT 1 FROM workflow_yanks WHERE name = ? AND version = ?", workflow, version).toArray()
      .length > 0
  );
}

/** Refuses an explicit start of a yanked version (`workflow.version_yanked`). */
export function assertStartable(sql: SqlStorage, workflow: string, version: string): void {
  if (isYanked(sql, workflow, version)) throw yankedError(workflow, version);
}

function refuseYank(sql: SqlStorage, workflow: string, version: string): void {
  if (pinnedVersion(sql, workflow) === version) {
    throw new EngineError(
      "workflow.yank_refused",
      `Version ${version} of "${workflow}" is its pinned default; pin another version with workflow_set_default (or set version "latest"), then yank it.`,
      { path: "version" },
    );
  }
  const yanked = new Set(listYanked(sql, workflow));
  const others = listVersions(sql, workflow).filter((other) => other !== version && !yanked.has(other));
  if (others.length === 0) {
    throw new EngineError(
      "workflow.yank_refused",
      `Version ${version} is the only version of "${workflow}" that is not yanked; publish a fixed version first, then yank this one.`,
      { path: "version" },
    );
  }
}

function pinnedVersion(sql: SqlStorage, workflow: string): string | undefined {
  return sql
    .exec<{ version: string }>("SELECT version FROM workflow_defaults WHERE name = ?", workflow)
    .toArray()[0]?.version;
}

function requireWorkflow(sql: SqlStorage, workflow: string): void {
  if (listVersions(sql, workflow).length > 0) return;
  throw new EngineError(
    "workflow.not_found",
    `No workflow named "${workflow}" is published for this tenant; workflow_list shows what is.`,
    { path: "workflow" },
  );
}

function requireVersion(sql: SqlStorage, workflow: string, version: string): void {
  requireWorkflow(sql, workflow);
  if (listVersions(sql, workflow).includes(version)) return;
  throw new EngineError(
    "workflow.not_found",
    `Workflow "${workflow}" has no version ${version}; workflow_get_info lists its versions.`,
    { path: "version" },
  );
}

function yankedError(workflow: string, version: string): EngineError {
  return new EngineError(
    "workflow.version_yanked",
    `Version ${version} of "${workflow}" is yanked: it takes no new runs (started or migrated); choose another version (workflow_get_info lists them, and starting without a version gets the default), or restore it with workflow_unyank.`,
    { path: "version" },
  );
}
