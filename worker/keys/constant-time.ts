/**
 * @module
 * Compares two secrets in time that does not depend on where they differ. Both sides are hashed
 * first so inputs of different lengths compare in constant time too.
 */

export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
