/**
 * @module
 * The TenantDO's view of its secrets: encrypts on write, decrypts all of them once and keeps the
 * plaintext in memory only (never in storage, never in a log) until the next write, since the
 * TenantDO is the only writer. Used to resolve `{{ env.NAME }}` in capability fields on the host
 * (a webhook trigger's `secret`); never handed to a run or an expression.
 */
import { decryptSecret, encryptSecret, tenantSecretKey } from "../secrets/secret-cipher.ts";
import type { SecretInfo } from "./contracts.ts";
import { checkSecret, deleteSecret, listSecretInfo, readCiphertexts, upsertSecret } from "./secret-store.ts";

export class SecretVault {
  readonly #sql: SqlStorage;
  readonly #platformKey: string | undefined;
  #key: Promise<CryptoKey> | undefined;
  #plain: Promise<Readonly<Record<string, string>>> | undefined;

  constructor(sql: SqlStorage, platformKey: string | undefined) {
    this.#sql = sql;
    this.#platformKey = platformKey;
  }

  /** Every secret, decrypted (`{}` when there are none). Values that no longer decrypt are left out. */
  values(tenant: string): Promise<Readonly<Record<string, string>>> {
    this.#plain ??= this.#decryptAll(tenant).catch((error: unknown) => {
      this.#plain = undefined;
      throw error;
    });
    return this.#plain;
  }

  async set(tenant: string, name: string, value: string, now: number): Promise<{ created: boolean }> {
    checkSecret(name, value);
    const sealed = await encryptSecret(await this.#tenantKey(tenant), tenant, name, value);
    const created = upsertSecret(this.#sql, name, sealed, now);
    this.#plain = undefined;
    return { created };
  }

  delete(name: string): void {
    checkSecret(name);
    deleteSecret(this.#sql, name);
    this.#plain = undefined;
  }

  list(): SecretInfo[] {
    return listSecretInfo(this.#sql);
  }

  async #decryptAll(tenant: string): Promise<Readonly<Record<string, string>>> {
    const rows = readCiphertexts(this.#sql);
    if (rows.length === 0) return {};
    const key = await this.#tenantKey(tenant);
    const values: Record<string, string> = {};
    for (const row of rows) {
      try {
        values[row.name] = await decryptSecret(key, tenant, row.name, row.ciphertext);
      } catch {
        console.warn(`tenant ${tenant}: secret ${row.name} does not decrypt with the current SECRETS_KEY`);
      }
    }
    return values;
  }

  #tenantKey(tenant: string): Promise<CryptoKey> {
    this.#key ??= tenantSecretKey(this.#platformKey, tenant).catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }
}
