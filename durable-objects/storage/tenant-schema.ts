/**
 * @module
 * The TenantDO's SQLite schema, as migrations. Append only: see `migrations.ts`.
 * docs/storage-schema.md describes every table.
 */
import type { SchemaMigration } from "./schema-migrations.ts";

export const TENANT_MIGRATIONS: readonly SchemaMigration[] = [
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
  {
    version: 2,
    name: "event triggers: subscriptions, schedules, event log, webhook dedup, pending starts, secrets",
    statements: [
      `CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        origin TEXT NOT NULL,
        spec TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      "CREATE INDEX subscriptions_by_workflow ON subscriptions (workflow, origin)",
      `CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        cron TEXT NOT NULL,
        timezone TEXT NOT NULL,
        jitter_seconds REAL NOT NULL,
        catchup TEXT NOT NULL,
        max_catchup INTEGER NOT NULL,
        last_fired_at INTEGER NOT NULL,
        next_fire_at INTEGER
      )`,
      "CREATE INDEX schedules_by_next_fire ON schedules (next_fire_at)",
      `CREATE TABLE events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        source TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        event TEXT,
        error TEXT,
        detail TEXT
      )`,
      "CREATE INDEX events_by_time ON events (received_at)",
      `CREATE TABLE event_log (
        event_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        subscription_id TEXT NOT NULL,
        workflow TEXT NOT NULL,
        outcome TEXT NOT NULL,
        run_id TEXT,
        started_at INTEGER,
        error TEXT,
        PRIMARY KEY (event_id, position)
      )`,
      "CREATE INDEX event_log_by_workflow ON event_log (workflow, event_id)",
      `CREATE TABLE webhook_dedup (
        endpoint TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        event_id TEXT NOT NULL,
        response TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (endpoint, dedup_key)
      )`,
      "CREATE INDEX webhook_dedup_by_expiry ON webhook_dedup (expires_at)",
      `CREATE TABLE pending_starts (
        run_id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        workflow TEXT NOT NULL,
        version TEXT,
        inputs TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL
      )`,
      "CREATE INDEX pending_starts_by_due ON pending_starts (next_attempt_at)",
      `CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        ciphertext TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: "event log byte bounds: event bodies apart from the log rows, their total kept by triggers",
    statements: [
      `CREATE TABLE event_bodies (
        event_id TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        body TEXT NOT NULL
      )`,
      "CREATE INDEX event_bodies_by_age ON event_bodies (received_at, event_id, bytes)",
      "CREATE TABLE event_body_usage (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL)",
      "INSERT INTO event_body_usage (id, bytes) VALUES (1, 0)",
      `CREATE TRIGGER event_bodies_added AFTER INSERT ON event_bodies BEGIN
        UPDATE event_body_usage SET bytes = bytes + NEW.bytes WHERE id = 1;
      END`,
      `CREATE TRIGGER event_bodies_removed AFTER DELETE ON event_bodies BEGIN
        UPDATE event_body_usage SET bytes = bytes - OLD.bytes WHERE id = 1;
      END`,
      "ALTER TABLE events ADD COLUMN body_bytes INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE events ADD COLUMN body_pruned_at INTEGER",
      `INSERT INTO event_bodies (event_id, received_at, bytes, body)
        SELECT id, received_at, length(CAST(event AS BLOB)), event FROM events WHERE event IS NOT NULL`,
      "UPDATE events SET body_bytes = length(CAST(event AS BLOB)), event = NULL WHERE event IS NOT NULL",
    ],
  },
  {
    version: 4,
    name: "run retention: when each finished run's storage is deleted",
    statements: [
      // null while the run is active; set when it finishes (finished at + the tenant's retention)
      "ALTER TABLE runs ADD COLUMN expires_at INTEGER",
      // runs finished before this migration get the default retention (30 days)
      "UPDATE runs SET expires_at = updated_at + 2592000000 WHERE status IN ('completed', 'failed', 'cancelled')",
      "CREATE INDEX runs_by_expiry ON runs (expires_at)",
    ],
  },
  {
    version: 5,
    name: "tenant services: named, configured uses of one exact plugin version, for all workflows",
    statements: [
      // config is JSON with its {{ env.NAME }} references unresolved (resolved at call time)
      `CREATE TABLE tenant_services (
        name TEXT PRIMARY KEY,
        uses TEXT NOT NULL,
        plugin TEXT NOT NULL,
        version TEXT NOT NULL,
        config TEXT NOT NULL,
        description TEXT,
        registered_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 6,
    name: "rate limits: one fixed one-minute window per bucket (surface, or surface and key)",
    statements: [
      // bucket: mcp, events, webhooks, admin, event_runs, or <surface>:key:<key id>
      `CREATE TABLE rate_limit_windows (
        bucket TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        used INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    name: "audit log: a hash chain of every change to the tenant",
    statements: [
      // one row per entry; `hash` covers the entry's canonical JSON with prev_hash (engine/audit/)
      `CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        request_id TEXT,
        changes TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      "CREATE INDEX audit_by_action ON audit_log (action, seq)",
      "CREATE INDEX audit_by_time ON audit_log (at)",
    ],
  },
  {
    version: 8,
    name: "release controls: a workflow's pinned default version, and its yanked versions",
    statements: [
      // no row: the default is the highest non-yanked version; a row pins it (workflow_set_default)
      `CREATE TABLE workflow_defaults (
        name TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        set_at INTEGER NOT NULL
      )`,
      // one row per yanked version (workflow_yank); deleted when it is restored (workflow_unyank)
      `CREATE TABLE workflow_yanks (
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        reason TEXT,
        yanked_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      )`,
    ],
  },
  {
    version: 9,
    name: "metrics: durable counters and histogram buckets, and each run's applied step-metrics mark",
    statements: [
      // one row per series: name is the family's (or a histogram's _bucket/_sum/_count), labels the
      // canonical JSON of its label pairs sorted by name (docs/observability.md "Metrics")
      `CREATE TABLE metric_series (
        name TEXT NOT NULL,
        labels TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (name, labels)
      )`,
      // the last transition seq of the run whose step durations are counted (exactly once)
      "ALTER TABLE runs ADD COLUMN metrics_seq INTEGER NOT NULL DEFAULT 0",
    ],
  },
  {
    version: 10,
    name: "run history and lifecycle events: finished time, chain depth, lifecycle outbox",
    statements: [
      // when the run finished (null while active): `workflow_list_runs` filters on it
      "ALTER TABLE runs ADD COLUMN finished_at INTEGER",
      // how many lifecycle events led to this run (0: started by an agent, a webhook, a schedule)
      "ALTER TABLE runs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0",
      // JSON list of lifecycle event types not yet emitted (durable-objects/tenant/lifecycle-events.ts)
      "ALTER TABLE runs ADD COLUMN lifecycle_due TEXT",
      "CREATE INDEX runs_by_created ON runs (created_at, id)",
      "CREATE INDEX runs_by_workflow ON runs (workflow, created_at, id)",
      "CREATE INDEX runs_lifecycle_due ON runs (lifecycle_due) WHERE lifecycle_due IS NOT NULL",
      // a run started by a lifecycle event carries the depth it will have
      "ALTER TABLE pending_starts ADD COLUMN depth INTEGER NOT NULL DEFAULT 0",
    ],
  },
  {
    version: 11,
    name: "lifecycle chain budget: the run each lifecycle-started run descends from",
    statements: [
      // the depth-0 run whose lifecycle events led to this one (null: the run is a chain's root)
      "ALTER TABLE runs ADD COLUMN chain_root TEXT",
      "CREATE INDEX runs_by_chain_root ON runs (chain_root) WHERE chain_root IS NOT NULL",
      "ALTER TABLE pending_starts ADD COLUMN chain_root TEXT",
    ],
  },
];
