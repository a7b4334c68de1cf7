/**
 * @module
 * Ed25519 signatures of workflow packages through WebCrypto (`crypto.subtle`, `{name: "Ed25519"}`,
 * in Node and workerd). The signed message is `edgeflow-package-v1\n` and the package's whole
 * checksum, so a signature can never be taken for one over anything else. A signing key is a
 * PKCS#8 PEM (`openssl genpkey -algorithm ed25519`) or an Ed25519 private JWK; a public key is
 * its raw 32 bytes in base64url (or base64), and its id `sha256:` plus 32 hex digits of their
 * SHA-256. Pure: the keys come in as text, nothing is read from the environment here.
 */
import { EngineError } from "../errors.ts";
import type { PackageSignature } from "./package-format.ts";

const ED25519 = { name: "Ed25519" } as const;
const SIGNED_PREFIX = "edgeflow-package-v1\n";

/** The members of an Ed25519 private JWK this module reads. */
interface Ed25519PrivateJwk {
  kty?: unknown;
  crv?: unknown;
  x?: unknown;
  d?: unknown;
}

export interface PackageSigningKey {
  privateKey: CryptoKey;
  /** raw public key, base64url */
  publicKey: string;
  keyId: string;
}

/** Reads a PKCS#8 PEM or a private JWK; `package.keys_misconfigured` (without the key text) when it is neither. */
export async function importSigningKey(text: string): Promise<PackageSigningKey> {
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      const jwk = JSON.parse(trimmed) as Ed25519PrivateJwk;
      if (
        jwk.kty !== "OKP" ||
        jwk.crv !== "Ed25519" ||
        typeof jwk.x !== "string" ||
        typeof jwk.d !== "string"
      ) {
        throw new Error("not an Ed25519 private JWK");
      }
      const privateKey = await crypto.subtle.importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
        ED25519,
        false,
        ["sign"],
      );
      return { privateKey, publicKey: jwk.x, keyId: await keyIdOf(jwk.x) };
    }
    const der = decodeBase64(trimmed.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, ""));
    const extractable = await crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
    const { x } = (await crypto.subtle.exportKey("jwk", extractable)) as { x?: unknown };
    if (typeof x !== "string") throw new Error("no public key");
    const privateKey = await crypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
    return { privateKey, publicKey: x, keyId: await keyIdOf(x) };
  } catch {
    throw new EngineError(
      "package.keys_misconfigured",
      "The deployment's package signing key (EDGEFLOW_PACKAGE_SIGNING_KEY) is not an Ed25519 PKCS#8 PEM or private JWK; see docs/versioning.md.",
    );
  }
}

/** A trusted public key (raw 32 bytes, base64url or base64) in the canonical base64url form; `undefined` when it is not one. */
export function normalizePublicKey(text: string): string | undefined {
  try {
    const bytes = decodeBase64(text.trim());
    return bytes.length === 32 ? encodeBase64Url(bytes) : undefined;
  } catch {
    return undefined;
  }
}

/** The id a public key is known by: `sha256:` and the first 32 hex digits of the SHA-256 of its raw bytes. */
export async function keyIdOf(publicKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", decodeBase64(publicKey));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex.slice(0, 32)}`;
}

export async function signPackageChecksum(
  checksum: string,
  key: PackageSigningKey,
): Promise<PackageSignature> {
  const value = await crypto.subtle.sign(ED25519, key.privateKey, signedMessage(checksum));
  return {
    algorithm: "Ed25519",
    key_id: key.keyId,
    public_key: key.publicKey,
    value: encodeBase64Url(new Uint8Array(value)),
  };
}

/** Whether `signature` is a valid signature of `checksum` by the key it names (trust is the caller's question). */
export async function verifyPackageSignature(
  checksum: string,
  signature: PackageSignature,
): Promise<boolean> {
  try {
    if ((await keyIdOf(signature.public_key)) !== signature.key_id) return false;
    const publicKey = await crypto.subtle.importKey(
      "raw",
      decodeBase64(signature.public_key),
      ED25519,
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      ED25519,
      publicKey,
      decodeBase64(signature.value),
      signedMessage(checksum),
    );
  } catch {
    return false;
  }
}

function signedMessage(checksum: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(`${SIGNED_PREFIX}${checksum}`);
  return new Uint8Array(encoded);
}

/** base64 or base64url, padded or not. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
