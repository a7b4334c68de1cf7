/**
 * @module
 * Tenant settings: a small key → JSON value map (limits, defaults, later secrets references).
 * A patch sets the keys it names; `null` removes a key.
 */
import type { TenantSettings } from "./contracts.ts";

interface SettingRow extends Record<string, SqlStorageValue> {
  key: string;
  value: string;
}

export function readSettings(sql: SqlStorage): TenantSettings {
  const rows = sql.exec<SettingRow>("SELECT key, value FROM settings ORDER BY key").toArray();
  return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value)]));
}

export function patchSettings(sql: SqlStorage, patch: Readonly<Record<string, unknown>>): TenantSettings {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) sql.exec("DELETE FROM settings WHERE key = ?", key);
    else {
      sql.exec(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        JSON.stringify(value),
      );
    }
  }
  return readSettings(sql);
}
