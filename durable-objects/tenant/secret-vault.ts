/**
 * @module
 * The TenantDO's secrets: encrypts on write, decrypts all of them once and keeps the plaintext in
 * memory only (never in storage, never in a log) until the next write, since the TenantDO is the
 * only writer. No plaintext leaves this class: callers get the capability they need, not the
 * values. The admin routes set, delete and list names (`SecretKeeping`); webhook intake gets
 * `WebhookVerifier`, which resolves a trigger's `{{ env.NAME }}` secrets and checks a delivery's
 * signature here; the effect runner gets `CapabilityResolver`, the one way resolved text leaves:
 * a capability field (a service's secret field, a step's `auth`) for the one plugin call it is
 * for, never stored, and redacted from the call's outcome. Never handed to a run or an expression.
 */
import type { Subscription } from "../../engine/events/index.ts";
import { parseSecretTemplate } from "../../engine/secrets/secret-template.ts";
import { decryptSecret, encryptSecret, tenantSecretKey } from "../secrets/secret-cipher.ts";
import type { SecretInfo, WebhookDelivery } from "./contracts.ts";
import { quotaLimitsOf } from "./quota-settings.ts";
import { checkSecret, deleteSecret, listSecretInfo, readCiphertexts, upsertSecret } from "./secret-store.ts";
import { readSettings } from "./settings.ts";
import { type DeliveryVerification, verifyDelivery } from "./webhook-verification.ts";

/** The one use of secret values outside this class: checking a webhook delivery's signature. */
export interface WebhookVerifier {
  verifyDelivery(
    tenant: string,
    delivery: WebhookDelivery,
    listening: readonly Subscription[],
  ): Promise<DeliveryVerification>;
}

/** A capability field resolved: its text, and the secret values in it (to keep them out of messages). */
export interface ResolvedCapability {
  text: string;
  secrets: string[];
}

/**
 * Resolving the `{{ env.NAME }}` references of a capability field (a service's secret fields, a
 * step's `auth`) as text, for the one call that needs them (effects). `undefined` when a secret
 * is not set or the field is not a valid secret template.
 */
export interface CapabilityResolver {
  resolveCapability(tenant: string, text: string): Promise<ResolvedCapability | undefined>;
}

/** Writing and listing secrets by name: values go in, never come out. */
export interface SecretKeeping {
  /** `commit` runs the write (answering whether it created the secret), e.g. in a transaction with its audit entry */
  set(
    tenant: string,
    name: string,
    value: string,
    now: number,
    commit?: (write: () => boolean) => boolean,
  ): Promise<{ created: boolean }>;
  delete(name: string): void;
  list(): SecretInfo[];
}

export class SecretVault implements WebhookVerifier, SecretKeeping, CapabilityResolver {
  readonly #sql: SqlStorage;
  readonly #platformKey: string | undefined;
  #key: Promise<CryptoKey> | undefined;
  #plain: Promise<Readonly<Record<string, string>>> | undefined;

  constructor(sql: SqlStorage, platformKey: string | undefined) {
    this.#sql = sql;
    this.#platformKey = platformKey;
  }

  /**
   * Checks a delivery against the subscriptions listening on its endpoint, with their secrets
   * resolved from this tenant's. When the secrets cannot be read (no `SECRETS_KEY`), it checks
   * with none, so the delivery is refused rather than the intake failing.
   */
  async verifyDelivery(
    tenant: string,
    delivery: WebhookDelivery,
    listening: readonly Subscription[],
  ): Promise<DeliveryVerification> {
    return verifyDelivery(delivery, listening, await this.#valuesForWebhooks(tenant));
  }

  async resolveCapability(tenant: string, text: string): Promise<ResolvedCapability | undefined> {
    const parsed = parseSecretTemplate(text);
    if (!parsed.ok) return undefined;
    if (parsed.parts.every((part) => part.kind === "text")) return { text, secrets: [] };
    const values = await this.#values(tenant);
    let resolved = "";
    const secrets: string[] = [];
    for (const part of parsed.parts) {
      if (part.kind === "text") {
        resolved += part.text;
        continue;
      }
      if (!Object.hasOwn(values, part.name)) return undefined;
      const value = values[part.name]!;
      resolved += value;
      secrets.push(value);
    }
    return { text: resolved, secrets };
  }

  async set(
    tenant: string,
    name: string,
    value: string,
    now: number,
    commit: (write: () => boolean) => boolean = (write) => write(),
  ): Promise<{ created: boolean }> {
    checkSecret(name, value);
    const sealed = await encryptSecret(await this.#tenantKey(tenant), tenant, name, value);
    const created = commit(() =>
      upsertSecret(this.#sql, name, sealed, now, quotaLimitsOf(readSettings(this.#sql)).max_secrets),
    );
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

  async #valuesForWebhooks(tenant: string): Promise<Readonly<Record<string, string>>> {
    try {
      return await this.#values(tenant);
    } catch (error) {
      console.warn(`tenant ${tenant}: secrets unavailable for webhook verification`, String(error));
      return {};
    }
  }

  /** Every secret, decrypted (`{}` when there are none). Values that no longer decrypt are left out. */
  #values(tenant: string): Promise<Readonly<Record<string, string>>> {
    this.#plain ??= this.#decryptAll(tenant).catch((error: unknown) => {
      this.#plain = undefined;
      throw error;
    });
    return this.#plain;
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
