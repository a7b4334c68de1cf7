/**
 * @module
 * The byte encodings webhook signatures use: UTF-8, lowercase hex and standard base64. Decoders
 * return `undefined` on bad input instead of throwing, so header parsing never throws. Uses only
 * `TextEncoder`, `atob` and `btoa`, which Node and workerd both provide.
 */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  // workers-types declare encode() as returning Uint8Array<ArrayBufferLike>; it is never shared.
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** A copy of `body` as bytes (strings as UTF-8), on its own `ArrayBuffer` as WebCrypto wants. */
export function bodyBytes(body: Uint8Array | string): Uint8Array<ArrayBuffer> {
  return typeof body === "string" ? utf8(body) : new Uint8Array(body);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

const HEX_DIGITS = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return text;
}

const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of an even-length hex string (either case), or undefined. */
export function fromHex(text: string): Uint8Array | undefined {
  if (!HEX_PATTERN.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of a standard-alphabet base64 string (padding optional), or undefined. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64_PATTERN.test(text) || text.length % 4 === 1) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
