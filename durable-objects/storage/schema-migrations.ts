/**
 * @module
 * Numbered, append-only SQLite migrations for Durable Objects, applied in one `transactionSync`:
 * either every pending migration lands or none does. An object's schema is created by the first
 * legitimate write (creating the tenant, starting the run: `applyMigrations`); its constructor only
 * upgrades a schema that already exists (`upgradeIfCreated`), so reaching an object that was never
 * created writes nothing and leaves it uncreated (docs/storage-schema.md). Never edit or reorder a migration once it has shipped; add the
 * next number instead. The applied versions are kept in `_migrations`. A `SchemaMigration`
 * changes tables; it is not a workflow-definition upgrade (`Migration` in `engine/dialect/versioning.ts`).
 */

export interface SchemaMigration {
  /** 1, 2, 3, ... without gaps */
  version: number;
  /** what it does, for people reading `_migrations` */
  name: string;
  /** statements run in order */
  statements: readonly string[];
}

/** The part of `DurableObjectStorage` migrations need (kept narrow so tests can see it). */
export interface MigratableStorage {
  sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

/** Checks that a list is numbered 1..n in order; throws on a programming error. */
export function assertWellFormed(migrations: readonly SchemaMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration #${index} has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

export function applyMigrations(
  storage: MigratableStorage,
  migrations: readonly SchemaMigration[],
): MigrationReport {
  assertWellFormed(migrations);
  return storage.transactionSync(() => {
    const { sql } = storage;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const from = currentVersion(sql);
    if (from > migrations.length) {
      throw new Error(`storage is at migration ${from}, newer than this code (${migrations.length})`);
    }
    const applied: number[] = [];
    for (const migration of migrations.slice(from)) {
      for (const statement of migration.statements) sql.exec(statement);
      sql.exec(
        "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
        migration.version,
        migration.name,
        Date.now(),
      );
      applied.push(migration.version);
    }
    return { from, to: migrations.length, applied };
  });
}

/** Whether this object's schema was ever created (a read of `sqlite_master`: writes nothing). */
export function isCreated(sql: SqlStorage): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").toArray().length > 0
  );
}

/**
 * For a constructor: applies pending migrations to an object whose schema exists, and leaves an
 * object that was never created alone. Answers whether the schema exists now.
 */
export function upgradeIfCreated(
  storage: MigratableStorage,
  migrations: readonly SchemaMigration[],
): boolean {
  if (!isCreated(storage.sql)) return false;
  applyMigrations(storage, migrations);
  return true;
}

export function currentVersion(sql: SqlStorage): number {
  const row = sql.exec<{ version: number | null }>("SELECT MAX(version) AS version FROM _migrations").one();
  return row.version ?? 0;
}
