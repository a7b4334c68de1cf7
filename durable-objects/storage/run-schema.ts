/**
 * @module
 * The RunDO's SQLite schema, as migrations. Append only: see `migrations.ts`.
 * docs/storage-schema.md describes every table.
 */
import type { SchemaAtBirth } from "./schema-birth.ts";
import type { SchemaMigration } from "./schema-migrations.ts";

export const RUN_MIGRATIONS: readonly SchemaMigration[] = [
  {
    version: 1,
    name: "run checkpoint and transition log",
    statements: [
      `CREATE TABLE run (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        workflow TEXT NOT NULL,
        version TEXT NOT NULL,
        definition TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL,
        seq INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE TABLE transitions (
        seq INTEGER PRIMARY KEY,
        event TEXT NOT NULL,
        status TEXT NOT NULL,
        at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: "dependency graph task records",
    statements: [
      `CREATE TABLE graph_tasks (
        idx INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: "transition log: who made each transition",
    statements: [
      // key:<key id>, admin, event, schedule or system; null for transitions logged before
      "ALTER TABLE transitions ADD COLUMN actor TEXT",
    ],
  },
  {
    version: 4,
    name: "versions a run was migrated from, kept for rollback",
    statements: [
      // one row per applied migration: the run row's columns as they were (its graph rows in run_version_tasks)
      `CREATE TABLE run_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        migrated_seq INTEGER NOT NULL,
        from_version TEXT NOT NULL,
        to_version TEXT NOT NULL,
        definition TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL,
        seq INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        migrated_at INTEGER NOT NULL,
        migrated_by TEXT NOT NULL,
        rolled_back_at INTEGER,
        rolled_back_by TEXT
      )`,
      `CREATE TABLE run_version_tasks (
        version_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (version_id, idx)
      )`,
    ],
  },
  {
    version: 5,
    name: "transition log: what each transition did (run history)",
    statements: [
      // JSON `TransitionDetail` (durable-objects/run/transition-detail.ts): step ids, attempts,
      // error codes and messages, waits, retries; never a state value. Null before this migration.
      "ALTER TABLE transitions ADD COLUMN detail TEXT",
    ],
  },
  {
    version: 6,
    name: "transition log: the steps each transition finished, for the step-duration metric",
    statements: [
      // JSON [[step type, seconds], ...]; null when the transition finished no client or effect step
      "ALTER TABLE transitions ADD COLUMN step_metrics TEXT",
    ],
  },
];

/**
 * The schema `RUN_MIGRATIONS` 1-`version` build, created in one step: a new RunDO is born with it
 * instead of replaying every migration (three `ALTER TABLE`s, each a rewrite of the schema).
 * Same tables, columns, types, constraints and `_migrations` rows as the replay
 * (test/worker/run-schema-birth.test.ts compares them); only `sqlite_master`'s text differs, which
 * nothing reads. When a migration is appended this stays at its version, so new runs replay
 * again until the next migration's columns are added here too (`schema-birth.ts`).
 */
export const RUN_SCHEMA_AT_BIRTH: SchemaAtBirth = {
  version: 6,
  statements: [
    `CREATE TABLE run (
      id TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      workflow TEXT NOT NULL,
      version TEXT NOT NULL,
      definition TEXT NOT NULL,
      state TEXT NOT NULL,
      status TEXT NOT NULL,
      seq INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE TABLE transitions (
      seq INTEGER PRIMARY KEY,
      event TEXT NOT NULL,
      status TEXT NOT NULL,
      at INTEGER NOT NULL,
      actor TEXT,
      detail TEXT,
      step_metrics TEXT
    )`,
    `CREATE TABLE graph_tasks (
      idx INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      status TEXT NOT NULL,
      record TEXT NOT NULL
    )`,
    `CREATE TABLE run_versions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      migrated_seq INTEGER NOT NULL,
      from_version TEXT NOT NULL,
      to_version TEXT NOT NULL,
      definition TEXT NOT NULL,
      state TEXT NOT NULL,
      status TEXT NOT NULL,
      seq INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      migrated_at INTEGER NOT NULL,
      migrated_by TEXT NOT NULL,
      rolled_back_at INTEGER,
      rolled_back_by TEXT
    )`,
    `CREATE TABLE run_version_tasks (
      version_id INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      id TEXT NOT NULL,
      status TEXT NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (version_id, idx)
    )`,
  ],
};
