/**
 * A new RunDO is born with its latest schema in one step (storage/schema-birth.ts) instead of
 * replaying every migration: the tables, columns, keys and indexes, and the `_migrations` rows,
 * must be what the replay builds, and a later migration must apply on top of either.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH } from "../../durable-objects/storage/run-schema.ts";
import { createOrMigrate } from "../../durable-objects/storage/schema-birth.ts";
import { applyMigrations, currentVersion } from "../../durable-objects/storage/schema-migrations.ts";
import { newTenant } from "./support/clients.ts";
import { publishAndStart, runObject } from "./support/runs.ts";

/** Everything about a schema that SQLite acts on: each table's columns, keys and indexes. */
function schemaOf(sql: SqlStorage): unknown {
  const tables = sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name <> 'sqlite_sequence' ORDER BY name",
    )
    .toArray()
    .map((row) => row.name);
  return tables.map((table) => ({
    table,
    columns: sql.exec(`PRAGMA table_info(${table})`).toArray(),
    foreignKeys: sql.exec(`PRAGMA foreign_key_list(${table})`).toArray(),
    indexes: sql
      .exec<{ name: string; unique: number; origin: string; partial: number }>(`PRAGMA index_list(${table})`)
      .toArray()
      .map((index) => ({
        ...index,
        name: index.origin === "c" ? index.name : index.origin,
        columns: sql.exec(`PRAGMA index_xinfo("${index.name}")`).toArray(),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    autoincrement: sql
      .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", table)
      .one()
      .sql.includes("AUTOINCREMENT"),
  }));
}

function migrationsOf(sql: SqlStorage): unknown {
  return sql.exec("SELECT version, name FROM _migrations ORDER BY version").toArray();
}

const TRANSITIONS_AT_BIRTH = RUN_SCHEMA_AT_BIRTH.statements.find((s) =>
  s.includes("CREATE TABLE transitions"),
);

describe("RunDO schema at birth", () => {
  it("is at the latest migration (append a migration: add its change here too)", () => {
    expect(RUN_SCHEMA_AT_BIRTH.version).toBe(RUN_MIGRATIONS.length);
  });

  it("equals the schema the migrations build one by one, with the same _migrations rows", async () => {
    const born = runObject("birth", "wf_born");
    const replayed = runObject("birth", "wf_replayed");
    const bornSchema = await runInDurableObject(born, (_instance, state) => {
      const report = createOrMigrate(state.storage, RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH);
      expect(report).toEqual({
        from: 0,
        to: RUN_MIGRATIONS.length,
        applied: RUN_MIGRATIONS.map((m) => m.version),
      });
      // born in one step: the table's text is the birth statement, not a replay's rewritten one
      const text = state.storage.sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'transitions'")
        .one().sql;
      expect(text).toBe(TRANSITIONS_AT_BIRTH);
      return { schema: schemaOf(state.storage.sql), migrations: migrationsOf(state.storage.sql) };
    });
    const replayedSchema = await runInDurableObject(replayed, (_instance, state) => {
      createOrMigrate(state.storage, RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH, false);
      const text = state.storage.sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'transitions'")
        .one().sql;
      expect(text).not.toBe(TRANSITIONS_AT_BIRTH);
      return { schema: schemaOf(state.storage.sql), migrations: migrationsOf(state.storage.sql) };
    });
    expect(bornSchema.migrations).toHaveLength(RUN_MIGRATIONS.length);
    expect(bornSchema).toEqual(replayedSchema);
  });

  it("replays when the birth schema is behind the migrations, and a later migration applies on top", async () => {
    const next = {
      version: RUN_MIGRATIONS.length + 1,
      name: "a later migration",
      statements: ["ALTER TABLE transitions ADD COLUMN later TEXT"],
    };
    await runInDurableObject(runObject("birth", "wf_later"), (_instance, state) => {
      // an existing object born at the current version, then upgraded by the next migration
      createOrMigrate(state.storage, RUN_MIGRATIONS, RUN_SCHEMA_AT_BIRTH);
      applyMigrations(state.storage, [...RUN_MIGRATIONS, next]);
      expect(currentVersion(state.storage.sql)).toBe(next.version);
    });
    await runInDurableObject(runObject("birth", "wf_behind"), (_instance, state) => {
      // the birth schema lags a newly appended migration: new objects replay every one
      createOrMigrate(state.storage, [...RUN_MIGRATIONS, next], RUN_SCHEMA_AT_BIRTH);
      expect(currentVersion(state.storage.sql)).toBe(next.version);
      const text = state.storage.sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'transitions'")
        .one().sql;
      expect(text).not.toBe(TRANSITIONS_AT_BIRTH);
    });
  });

  it("is what a started run's object gets", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(
      apiKey,
      `name: "birth:one"\ndescription: "one step"\nversion: "1.0.0"\nsteps:\n  - id: "a"\n    type: "set_state"\n    state_update:\n      path: "this.x"\n      value: 1\n`,
    );
    await runInDurableObject(runObject(id, runId), (_instance, state) => {
      expect(currentVersion(state.storage.sql)).toBe(RUN_MIGRATIONS.length);
      const text = state.storage.sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'transitions'")
        .one().sql;
      expect(text).toBe(TRANSITIONS_AT_BIRTH);
      expect(state.storage.sql.exec("SELECT event FROM transitions").toArray()).toEqual([{ event: "start" }]);
    });
  });
});
