/**
 * @module
 * Tenant secret rows: names in the clear, values only as AES-GCM ciphertext
 * (`secrets/secret-cipher.ts`). Listing returns names and dates, never values; only the TenantDO
 * decrypts, to resolve `{{ env.NAME }}` in capability fields (webhook verification today);
 * runs never receive a secret.
 */
import { EngineError } from "../../engine/errors.ts";
import { SECRET_NAME_PATTERN } from "../../engine/secrets/secret-template.ts";
import type { SecretInfo } from "./contracts.ts";

export const MAX_SECRET_BYTES = 16 * 1024;
/** The most secrets a tenant may hold: the default and ceiling of the `max_secrets` quota. */
export const MAX_SECRETS = 100;

interface SecretRow extends Record<string, SqlStorageValue> {
  name: string;
  ciphertext: string;
  created_at: number;
  updated_at: number;
}

export function listSecretInfo(sql: SqlStorage): SecretInfo[] {
  return sql
    .exec<SecretRow>("SELECT name, created_at, updated_at FROM secrets ORDER BY name")
    .toArray()
    .map((row) => ({
      name: row.name,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    }));
}

export function readCiphertexts(sql: SqlStorage): { name: string; ciphertext: string }[] {
  return sql.exec<SecretRow>("SELECT name, ciphertext FROM secrets ORDER BY name").toArray();
}

/** Stores (or replaces) a secret's ciphertext; answers whether it is new. A new one must fit `limit` (`max_secrets`). */
export function upsertSecret(
  sql: SqlStorage,
  name: string,
  ciphertext: string,
  now: number,
  limit = MAX_SECRETS,
): boolean {
  const exists = sql.exec("SELECT 1 FROM secrets WHERE name = ?", name).toArray().length > 0;
  if (!exists) {
    const count = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM secrets").one().n;
    if (count >= limit) {
      throw new EngineError(
        "secrets.limit_reached",
        `Quota max_secrets exceeded: the limit is ${limit} and this tenant has ${count} secrets; delete unused ones first.`,
        { path: "max_secrets" },
      );
    }
  }
  sql.exec(
    `INSERT INTO secrets (name, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
    name,
    ciphertext,
    now,
    now,
  );
  return !exists;
}

export function deleteSecret(sql: SqlStorage, name: string): void {
  const cursor = sql.exec("DELETE FROM secrets WHERE name = ?", name);
  if (cursor.rowsWritten === 0) {
    throw new EngineError("secret.not_found", `No secret named "${name}" for this tenant.`, { path: "name" });
  }
}

/** Checks a secret's name and value before anything is encrypted. */
export function checkSecret(name: string, value?: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new EngineError(
      "secret.invalid_name",
      `Secret name "${name.slice(0, 80)}" is not valid: use a letter or _ followed by letters, digits and _ (a workflow names it as {{ env.NAME }}).`,
      { path: "name" },
    );
  }
  if (value !== undefined && (value === "" || new TextEncoder().encode(value).length > MAX_SECRET_BYTES)) {
    throw new EngineError(
      "secret.invalid_value",
      `A secret value must be a non-empty string of at most ${MAX_SECRET_BYTES} bytes.`,
      { path: "value" },
    );
  }
}
