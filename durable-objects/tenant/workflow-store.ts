/**
 * @module
 * Published workflow versions of one tenant: the YAML as published and its parsed form, one row
 * per (name, version). Versions are immutable: publishing the same text again is a no-op,
 * publishing different text under an existing version is `workflow.version_exists`. A run
 * started without a version gets the workflow's default version: the one pinned by
 * `workflow_set_default`, else the highest non-yanked release (a prerelease only when no release
 * is left), in semver order, not the most recent publish (a 1.4.1 hotfix does not shadow 2.0.0).
 * A version semver reads as equal to a stored one under another spelling is
 * `workflow.version_exists` too. Pins and yanks are changed in `workflow-release.ts`.
 */

import semver from "semver";
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { decodePublishedDefinition } from "../storage/stored-definition.ts";
import { checkStored, parseStoredJson } from "../storage/stored-json.ts";
import type { NewWorkflowVersion, StoredWorkflow, WorkflowSummary } from "./contracts.ts";

interface VersionRow extends Record<string, SqlStorageValue> {
  name: string;
  version: string;
  description: string;
  yaml: string;
  definition: string;
  warnings: string;
  published_at: number;
}

/** Stores a version; returns it and whether it was new. */
export function insertVersion(
  sql: SqlStorage,
  input: NewWorkflowVersion,
  now: number,
): { workflow: StoredWorkflow; created: boolean } {
  const existing = findRow(sql, input.name, input.version);
  if (existing !== null) {
    if (existing.yaml === input.yaml) return { workflow: toStored(existing), created: false };
    throw new EngineError(
      "workflow.version_exists",
      `Version ${input.version} of "${input.name}" is already published with different content; bump "version" in the YAML and publish again.`,
      { path: "version" },
    );
  }
  refuseAlias(sql, input.name, input.version);
  sql.exec(
    "INSERT INTO workflow_versions (name, version, description, yaml, definition, warnings, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    input.name,
    input.version,
    input.description,
    input.yaml,
    JSON.stringify(input.definition),
    JSON.stringify(input.warnings),
    now,
  );
  return { workflow: { ...input, published_at: new Date(now).toISOString() }, created: true };
}

/**
 * Refuses a version semver reads as equal to a stored one spelled differently (`1.0.0+build`,
 * `v1.0.0` stored before the loader required the canonical spelling): it would dodge the
 * compatibility check, which compares only with versions strictly below.
 */
function refuseAlias(sql: SqlStorage, name: string, version: string): void {
  const alias =
    semver.valid(version) === null
      ? undefined
      : listVersions(sql, name).find((stored) => stored !== version && semver.eq(stored, version));
  if (alias === undefined) return;
  throw new EngineError(
    "workflow.version_exists",
    `Version ${version} of "${name}" is the same semantic version as the published ${alias}; bump "version" in the YAML and publish again.`,
    { path: "version" },
  );
}

/** One version, or the default version when `version` is omitted. */
export function getVersion(sql: SqlStorage, name: string, version?: string): StoredWorkflow {
  const chosen = version ?? defaultVersionOf(sql, name);
  const row = chosen === undefined ? null : findRow(sql, name, chosen);
  if (row !== null) return toStored(row);
  const message =
    version === undefined
      ? `No workflow named "${name}" is published for this tenant; workflow_list shows what is.`
      : `Workflow "${name}" has no version ${version}; workflow_get_info lists its versions.`;
  throw new EngineError("workflow.not_found", message, {
    path: version === undefined ? "workflow" : "version",
  });
}

export function listVersions(sql: SqlStorage, name: string): string[] {
  const rows = sql
    .exec<{ version: string }>("SELECT version FROM workflow_versions WHERE name = ?", name)
    .toArray();
  return rows.map((row) => row.version).sort(semver.rcompare);
}

/** The yanked versions of `name`, highest first. */
export function listYanked(sql: SqlStorage, name: string): string[] {
  const rows = sql
    .exec<{ version: string }>("SELECT version FROM workflow_yanks WHERE name = ?", name)
    .toArray();
  return rows.map((row) => row.version).sort(semver.rcompare);
}

/**
 * The version a run of `name` starts when none is asked for: the pinned default, else the highest
 * non-yanked release, else (only prereleases left) the highest non-yanked prerelease; undefined
 * when nothing is published (a yank never leaves none: see `workflow-release.ts`). A prerelease
 * becomes the default only by `workflow_set_default`.
 */
export function defaultVersionOf(sql: SqlStorage, name: string): string | undefined {
  const pinned = sql
    .exec<{ version: string }>("SELECT version FROM workflow_defaults WHERE name = ?", name)
    .toArray()[0];
  if (pinned !== undefined) return pinned.version;
  const yanked = new Set(listYanked(sql, name));
  const candidates = listVersions(sql, name).filter((version) => !yanked.has(version));
  return candidates.find((version) => semver.prerelease(version) === null) ?? candidates[0];
}

export function listWorkflows(sql: SqlStorage): WorkflowSummary[] {
  const rows = sql
    .exec<Pick<VersionRow, "name" | "version" | "description" | "published_at">>(
      "SELECT name, version, description, published_at FROM workflow_versions ORDER BY name",
    )
    .toArray();
  const byName = new Map<string, typeof rows>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
  return [...byName.entries()].map(([name, versions]) => {
    const sorted = [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
    const latest = sorted[0]!;
    const defaultVersion = defaultVersionOf(sql, name) ?? latest.version;
    const chosen = sorted.find((row) => row.version === defaultVersion) ?? latest;
    return {
      name,
      description: chosen.description,
      version: latest.version,
      versions: sorted.map((row) => row.version),
      published_at: new Date(latest.published_at).toISOString(),
      default_version: defaultVersion,
      yanked: listYanked(sql, name),
    };
  });
}

function findRow(sql: SqlStorage, name: string, version: string): VersionRow | null {
  return (
    sql
      .exec<VersionRow>("SELECT * FROM workflow_versions WHERE name = ? AND version = ?", name, version)
      .toArray()[0] ?? null
  );
}

function toStored(row: VersionRow): StoredWorkflow {
  return {
    name: row.name,
    version: row.version,
    description: row.description,
    yaml: row.yaml,
    definition: decodePublishedDefinition(row.definition),
    warnings: checkStored(
      z.array(z.unknown()),
      parseStoredJson(row.warnings, "workflow warnings"),
      "workflow warnings",
    ),
    published_at: new Date(row.published_at).toISOString(),
  };
}
