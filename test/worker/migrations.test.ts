/**
 * Numbered, append-only migrations: applied atomically, in order, by the first legitimate write
 * (creating the tenant, starting the run) and by the constructor of an object that exists; the
 * constructor of an object that was never created writes nothing.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RUN_MIGRATIONS } from "../../durable-objects/storage/run-schema.ts";
import {
  applyMigrations,
  currentVersion,
  isCreated,
  type SchemaMigration,
} from "../../durable-objects/storage/schema-migrations.ts";
import { TENANT_MIGRATIONS } from "../../durable-objects/storage/tenant-schema.ts";

function tables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
    )
    .toArray()
    .map((row) => row.name);
}

describe("migrations", () => {
  it("TenantDO creates its schema when the tenant is created, not before", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-tenant"));
    expect((await stub.authenticate("migrations-tenant", "0000000000000000", "00")).ok).toBe(false);
    await runInDurableObject(stub, (_instance, state) => {
      expect(isCreated(state.storage.sql)).toBe(false);
      expect(tables(state.storage.sql)).toEqual([]);
    });
    const created = await stub.createTenant("migrations-tenant", { keyId: "0000000000000000", hash: "00" });
    expect(created.ok).toBe(true);
    await runInDurableObject(stub, (_instance, state) => {
      expect(currentVersion(state.storage.sql)).toBe(TENANT_MIGRATIONS.length);
      expect(tables(state.storage.sql)).toEqual(
        expect.arrayContaining([
          "_migrations",
          "api_keys",
          "event_log",
          "events",
          "pending_starts",
          "runs",
          "schedules",
          "secrets",
          "settings",
          "subscriptions",
          "tenant",
          "webhook_dedup",
          "workflow_versions",
        ]),
      );
    });
  });

  it("RunDO creates its schema when the run starts, not before", async () => {
    const stub = env.RUN_DO.get(env.RUN_DO.idFromName("t/wf_000000000000000000000000"));
    const probe = await stub.snapshot("t", "wf_000000000000000000000000");
    expect(probe.ok ? "ok" : probe.error.code).toBe("run.not_found");
    await runInDurableObject(stub, (_instance, state) => {
      expect(tables(state.storage.sql)).toEqual([]);
      // what `start` does first: the run's own first write
      applyMigrations(state.storage, RUN_MIGRATIONS);
      expect(currentVersion(state.storage.sql)).toBe(RUN_MIGRATIONS.length);
      expect(tables(state.storage.sql)).toEqual(
        expect.arrayContaining(["_migrations", "run", "transitions"]),
      );
    });
  });

  it("a tenant stored under migration 1 is upgraded to the event tables with its data kept", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-upgrade"));
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      applyMigrations(state.storage, TENANT_MIGRATIONS.slice(0, 2));
      // Back to the shape of migration 1, with a tenant in it.
      for (const table of [
        "subscriptions",
        "schedules",
        "events",
        "event_log",
        "webhook_dedup",
        "pending_starts",
        "secrets",
      ]) {
        sql.exec(`DROP TABLE ${table}`);
      }
      sql.exec("DELETE FROM _migrations WHERE version > 1");
      sql.exec("INSERT INTO tenant (id, created_at) VALUES ('old', 1)");
      expect(applyMigrations(state.storage, TENANT_MIGRATIONS).applied).toEqual(
        TENANT_MIGRATIONS.slice(1).map((migration) => migration.version),
      );
      expect(tables(sql)).toEqual(expect.arrayContaining(["events", "event_log", "schedules", "secrets"]));
      expect(sql.exec("SELECT id FROM tenant").toArray()).toEqual([{ id: "old" }]);
    });
  });

  it("migration 3 moves the bodies of stored events out of the log rows and counts their bytes", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-event-bodies"));
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      applyMigrations(state.storage, TENANT_MIGRATIONS.slice(0, 3));
      // Back to the shape of migration 2, with two events stored the old way.
      for (const table of ["event_bodies", "event_body_usage", "events"]) sql.exec(`DROP TABLE ${table}`);
      sql.exec("DELETE FROM _migrations WHERE version > 2");
      const migration2 = TENANT_MIGRATIONS[1]!.statements.filter((statement) =>
        /^CREATE (TABLE events|INDEX events_by_time)/.test(statement.trim()),
      );
      for (const statement of migration2) sql.exec(statement);
      const body = JSON.stringify({ id: "e1", type: "t", source: "s", payload: { é: "ü" }, receivedAt: 1 });
      sql.exec(
        "INSERT INTO events (id, type, source, received_at, status, event) VALUES ('e1', 't', 's', 1, 'accepted', ?)",
        body,
      );
      sql.exec(
        "INSERT INTO events (id, type, source, received_at, status) VALUES ('r1', 'webhook', '/x', 2, 'rejected')",
      );
      expect(applyMigrations(state.storage, TENANT_MIGRATIONS.slice(0, 3)).applied).toEqual([3]);
      const bytes = new TextEncoder().encode(body).length;
      expect(sql.exec("SELECT id, event, body_bytes FROM events ORDER BY id").toArray()).toEqual([
        { id: "e1", event: null, body_bytes: bytes },
        { id: "r1", event: null, body_bytes: 0 },
      ]);
      expect(sql.exec("SELECT event_id, bytes, body FROM event_bodies").toArray()).toEqual([
        { event_id: "e1", bytes, body },
      ]);
      expect(sql.exec("SELECT bytes FROM event_body_usage").one().bytes).toBe(bytes);
    });
  });

  it("applies only pending migrations, once", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-append"));
    const last = TENANT_MIGRATIONS.length;
    const next: SchemaMigration = {
      version: last + 1,
      name: "add notes",
      statements: ["CREATE TABLE notes (id INTEGER PRIMARY KEY)"],
    };
    await runInDurableObject(stub, (_instance, state) => {
      applyMigrations(state.storage, TENANT_MIGRATIONS);
      expect(applyMigrations(state.storage, TENANT_MIGRATIONS).applied).toEqual([]);
      expect(applyMigrations(state.storage, [...TENANT_MIGRATIONS, next])).toEqual({
        from: last,
        to: last + 1,
        applied: [last + 1],
      });
      expect(applyMigrations(state.storage, [...TENANT_MIGRATIONS, next]).applied).toEqual([]);
      expect(tables(state.storage.sql)).toContain("notes");
    });
  });

  it("rolls back every statement of a failing batch", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-rollback"));
    const last = TENANT_MIGRATIONS.length;
    const good: SchemaMigration = {
      version: last + 1,
      name: "ok",
      statements: ["CREATE TABLE ok_table (id INTEGER)"],
    };
    const bad: SchemaMigration = {
      version: last + 2,
      name: "broken",
      statements: ["CREATE TABLE half (id INTEGER)", "NOT SQL"],
    };
    await runInDurableObject(stub, (_instance, state) => {
      applyMigrations(state.storage, TENANT_MIGRATIONS);
      expect(() => applyMigrations(state.storage, [...TENANT_MIGRATIONS, good, bad])).toThrow();
      expect(currentVersion(state.storage.sql)).toBe(last);
      expect(tables(state.storage.sql)).not.toContain("ok_table");
      expect(tables(state.storage.sql)).not.toContain("half");
    });
  });

  it("refuses a list with gaps and storage newer than the code", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-guards"));
    await runInDurableObject(stub, (_instance, state) => {
      applyMigrations(state.storage, TENANT_MIGRATIONS);
      const gap: SchemaMigration = { version: TENANT_MIGRATIONS.length + 2, name: "gap", statements: [] };
      expect(() => applyMigrations(state.storage, [...TENANT_MIGRATIONS, gap])).toThrow(
        new RegExp(`expected ${TENANT_MIGRATIONS.length + 1}`),
      );
      expect(() => applyMigrations(state.storage, [])).toThrow(/newer than this code/);
    });
  });

  it("the constructor upgrades an object that exists, and only that", async () => {
    const stub = env.RUN_DO.get(env.RUN_DO.idFromName("t/wf_00000000000000000000000a"));
    await runInDurableObject(stub, (_instance, state) => {
      applyMigrations(state.storage, RUN_MIGRATIONS.slice(0, 1));
    });
    await evictDurableObject(stub);
    await runInDurableObject(stub, (_instance, state) => {
      expect(currentVersion(state.storage.sql)).toBe(RUN_MIGRATIONS.length);
      expect(tables(state.storage.sql)).toContain("graph_tasks");
    });
  });
});

describe("migration 4: run retention", () => {
  it("gives runs finished before it the default retention, and active runs none", async () => {
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName("migrations-retention"));
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      applyMigrations(state.storage, TENANT_MIGRATIONS.slice(0, 3));
      sql.exec(
        "INSERT INTO runs (id, workflow, version, status, created_at, updated_at) VALUES ('done', 'a:b', '1.0.0', 'completed', 1, 1000), ('going', 'a:b', '1.0.0', 'waiting', 1, 1000)",
      );
      applyMigrations(state.storage, TENANT_MIGRATIONS);
      expect(sql.exec("SELECT id, expires_at FROM runs ORDER BY id").toArray()).toEqual([
        { id: "done", expires_at: 1000 + 30 * 86_400_000 },
        { id: "going", expires_at: null },
      ]);
    });
  });
});
