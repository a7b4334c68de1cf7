/**
 * @module
 * Constant-time comparison, the one place for it: the time taken depends only on the lengths,
 * never on where the first difference is. Webhook signatures are compared as decoded bytes
 * (`timingSafeEqual`), never as strings with `===`; presented secrets (the admin token) are
 * hashed first (`secretsEqual`), so inputs of different lengths compare in constant time too.
 * Pure WebCrypto: usable by the engine, the Durable Objects and the worker alike.
 */

/** Whether `a` and `b` hold the same bytes; time independent of their content. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Whether a presented secret equals the expected one, compared as SHA-256 digests in constant time. */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b));
}
