/**
 * @module
 * Extracts the token from an `Authorization: Bearer <token>` header.
 */

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
