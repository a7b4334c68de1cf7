/**
 * @module
 * HMAC-SHA256 through WebCrypto (`crypto.subtle`, in Node and workerd). Imported keys are cached
 * per secret (bounded), since importing costs about as much as signing a small body. The cache
 * lives in memory only, like the secrets themselves while a request is served.
 */
import { BoundedCache } from "../../expressions/bounded-cache.ts";

const keys = new BoundedCache<string, Promise<CryptoKey>>(512);

/**
 * HMAC-SHA256 of `data` under `key`. `cacheKey` names the key bytes (scheme + secret text) so the
 * imported `CryptoKey` is reused; pass undefined to skip the cache.
 */
export async function hmacSha256(
  key: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
  cacheKey?: string,
): Promise<Uint8Array> {
  const cryptoKey = await importKey(key, cacheKey);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

function importKey(key: Uint8Array<ArrayBuffer>, cacheKey: string | undefined): Promise<CryptoKey> {
  if (cacheKey !== undefined) {
    const cached = keys.get(cacheKey);
    if (cached !== undefined) return cached;
  }
  const imported = crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  if (cacheKey !== undefined) keys.set(cacheKey, imported);
  return imported;
}
