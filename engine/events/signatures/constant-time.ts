/**
 * @module
 * Constant-time byte comparison for signatures: the time taken depends only on the lengths,
 * never on where the first difference is. Signatures are compared as decoded bytes, never as
 * strings with `===`.
 */

/** Whether `a` and `b` hold the same bytes; time independent of their content. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
