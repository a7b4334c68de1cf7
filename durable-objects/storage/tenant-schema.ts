/**
 * @module
 * The TenantDO's SQLite schema, as migrations. Append only: see `migrations.ts`.
 * docs/storage-schema.md describes every table.
 */
import type { Migration } from "./migrations.ts";

export const TENANT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "tenant, settings, api keys, workflow versions, run index",
    statements: [
      "CREATE TABLE tenant (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
      "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        label TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      )`,
      `CREATE TABLE workflow_versions (
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        description TEXT NOT NULL,
        yaml TEXT NOT NULL,
        definition TEXT NOT NULL,
        warnings TEXT NOT NULL,
        published_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      )`,
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        version TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      "CREATE INDEX runs_by_status ON runs (status, updated_at)",
    ],
  },
];
