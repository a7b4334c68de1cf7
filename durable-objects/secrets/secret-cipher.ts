/**
 * @module
 * Encryption of tenant secrets at rest: AES-256-GCM through WebCrypto, with a key derived per
 * tenant (HKDF-SHA-256) from the platform secret `SECRETS_KEY`, a fresh 96-bit IV per value, and
 * the tenant and secret name as additional data, so a stored value cannot be moved to another
 * name or tenant. Stored form: `v1.<base64 IV>.<base64 ciphertext+tag>`. No I/O, no clock.
 */
import { EngineError } from "../../engine/errors.ts";

/** Shortest accepted `SECRETS_KEY` (e.g. 64 hex digits from `openssl rand -hex 32`). */
export const MIN_PLATFORM_KEY_LENGTH = 32;
const VERSION = "v1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The AES-GCM key of one tenant. Throws `secrets.not_configured` when the platform key is unusable. */
export async function tenantSecretKey(platformKey: string | undefined, tenant: string): Promise<CryptoKey> {
  if (platformKey === undefined || platformKey.length < MIN_PLATFORM_KEY_LENGTH) {
    throw new EngineError(
      "secrets.not_configured",
      `Tenant secrets need the platform secret SECRETS_KEY (at least ${MIN_PLATFORM_KEY_LENGTH} characters). Locally, \`npm start\` writes one to .dev.vars; when deployed, run \`wrangler secret put SECRETS_KEY\`.`,
    );
  }
  const material = await crypto.subtle.importKey("raw", encoder.encode(platformKey), "HKDF", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("edgeflow-tenant-secrets-v1"),
      info: encoder.encode(tenant),
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function encryptSecret(
  key: CryptoKey,
  tenant: string,
  name: string,
  value: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(tenant, name) },
    key,
    encoder.encode(value),
  );
  return `${VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** The plaintext; throws `secrets.undecryptable` when the value was sealed with another key or altered. */
export async function decryptSecret(
  key: CryptoKey,
  tenant: string,
  name: string,
  stored: string,
): Promise<string> {
  const [version, iv, sealed] = stored.split(".");
  try {
    if (version !== VERSION || iv === undefined || sealed === undefined) throw new Error("format");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(iv), additionalData: additionalData(tenant, name) },
      key,
      fromBase64(sealed),
    );
    return decoder.decode(plain);
  } catch {
    throw new EngineError(
      "secrets.undecryptable",
      `Tenant secret "${name}" cannot be decrypted: SECRETS_KEY changed since it was stored. Set the secret again.`,
    );
  }
}

function additionalData(tenant: string, name: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`edgeflow-secret:${VERSION}:${tenant}:${name}`) as Uint8Array<ArrayBuffer>;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
