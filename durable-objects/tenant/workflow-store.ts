/**
 * @module
 * Published workflow versions of one tenant: the YAML as published and its parsed form, one row
 * per (name, version). Versions are immutable: publishing the same text again is a no-op,
 * publishing different text under an existing version is `workflow.version_exists`. "Latest"
 * is the highest semver, not the most recent publish (a 1.4.1 hotfix does not shadow 2.0.0).
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

/** One version, or the latest when `version` is omitted. */
export function getVersion(sql: SqlStorage, name: string, version?: string): StoredWorkflow {
  const row = version === undefined ? latestRow(sql, name) : findRow(sql, name, version);
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
    return {
      name,
      description: latest.description,
      version: latest.version,
      versions: sorted.map((row) => row.version),
      published_at: new Date(latest.published_at).toISOString(),
    };
  });
}

function latestRow(sql: SqlStorage, name: string): VersionRow | null {
  const versions = listVersions(sql, name);
  return versions[0] === undefined ? null : findRow(sql, name, versions[0]);
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
