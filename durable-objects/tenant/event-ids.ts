/**
 * @module
 * Ids the TenantDO mints: `evt_` + 24 hex digits for events (96 random bits), and the random
 * hex behind subscription and rejection ids.
 */

export function newEventId(): string {
  return `evt_${randomHex(12)}`;
}

export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}
