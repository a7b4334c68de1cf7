/**
 * @module
 * Tenant API keys: `efk_<tenant>_<keyId>_<secret>`. The tenant id inside the key routes the
 * lookup straight to that tenant's Durable Object, which holds only SHA-256 hashes (see
 * docs/decisions/0002-runtime-keys-and-routing.md). Keys are made from `crypto.getRandomValues`,
 * shown once, and never stored in the clear. Pure functions over WebCrypto: no storage here.
 */
import { isTenantId } from "../tenancy/tenant-id.ts";

const PREFIX = "efk";
const KEY_ID_BYTES = 8;
const SECRET_BYTES = 32;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ParsedApiKey {
  tenant: string;
  keyId: string;
}

export interface NewApiKey extends ParsedApiKey {
  /** the full key: give it to the caller once, then forget it */
  key: string;
  /** lowercase hex SHA-256 of `key`: the only form that is stored */
  hash: string;
}

export async function generateApiKey(tenant: string): Promise<NewApiKey> {
  const keyId = toHex(randomBytes(KEY_ID_BYTES));
  const secret = toBase64Url(randomBytes(SECRET_BYTES));
  const key = `${PREFIX}_${tenant}_${keyId}_${secret}`;
  return { tenant, keyId, key, hash: await hashApiKey(key) };
}

/** Splits a presented key; `null` when it cannot be one of ours (no lookup is made then). */
export function parseApiKey(key: string): ParsedApiKey | null {
  const first = key.indexOf("_");
  const second = key.indexOf("_", first + 1);
  const third = key.indexOf("_", second + 1);
  if (first < 0 || second < 0 || third < 0) return null;
  const prefix = key.slice(0, first);
  const tenant = key.slice(first + 1, second);
  const keyId = key.slice(second + 1, third);
  const secret = key.slice(third + 1);
  if (prefix !== PREFIX || !isTenantId(tenant)) return null;
  if (!KEY_ID_PATTERN.test(keyId) || !SECRET_PATTERN.test(secret)) return null;
  return { tenant, keyId };
}

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return toHex(new Uint8Array(digest));
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

const HEX_OF_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX_OF_BYTE[byte];
  return hex;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
