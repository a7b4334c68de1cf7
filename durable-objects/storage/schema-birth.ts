/**
 * @module
 * Creating a new object's schema in one step (issue 16, "Runs"): the tables as the migrations
 * leave them, written directly, and every migration recorded in `_migrations` as applied, in one
 * `transactionSync`, instead of replaying each migration. Only for an object whose schema was
 * never created, and only when the schema at birth is at the latest migration; otherwise (an
 * existing object, a birth schema behind a newly appended migration, the switch off) it is
 * `applyMigrations`. The result must equal the replay's: a test per schema compares them.
 */
import {
  applyMigrations,
  assertWellFormed,
  isCreated,
  type MigratableStorage,
  type MigrationReport,
  type SchemaMigration,
} from "./schema-migrations.ts";

/** The schema `migrations` 1..`version` build, as the statements that create it at once. */
export interface SchemaAtBirth {
  version: number;
  statements: readonly string[];
}

/**
 * `applyMigrations`, with a never-created object given `birth` in one step when `birth` is
 * current. `useBirth: false` always replays (`EDGEFLOW_RUN_SCHEMA_AT_BIRTH=off`, for the bench).
 */
export function createOrMigrate(
  storage: MigratableStorage,
  migrations: readonly SchemaMigration[],
  birth: SchemaAtBirth,
  useBirth = true,
): MigrationReport {
  if (!useBirth || birth.version !== migrations.length || isCreated(storage.sql))
    return applyMigrations(storage, migrations);
  assertWellFormed(migrations);
  return storage.transactionSync(() => {
    const { sql } = storage;
    sql.exec(
      "CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    for (const statement of birth.statements) sql.exec(statement);
    const now = Date.now();
    const rows = migrations.map(() => "(?, ?, ?)").join(", ");
    sql.exec(
      `INSERT INTO _migrations (version, name, applied_at) VALUES ${rows}`,
      ...migrations.flatMap((migration) => [migration.version, migration.name, now]),
    );
    return { from: 0, to: migrations.length, applied: migrations.map((migration) => migration.version) };
  });
}

/** Whether the schema-at-birth lever is on (`EDGEFLOW_RUN_SCHEMA_AT_BIRTH=off` turns it off). */
export function schemaAtBirthOn(setting: string | undefined): boolean {
  return setting !== "off";
}
