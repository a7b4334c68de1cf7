/**
 * @module
 * A per-isolate memo of tenants the registry (tenant-registry.ts) said exist, each kept at most
 * {@link REGISTRY_MEMO_MS}: the `/mcp` hot path reads the registry on every API-key request, and
 * a KV read is a round trip. Only "registered" is remembered, never "unknown", so a new tenant is
 * never refused for longer than KV itself takes. What it trades: for at most one second after a
 * tenant is deleted, an isolate that saw it may still reach its TenantDO, which refuses the key
 * (a deleted tenant has no key rows) without writing. KV reads are themselves cached at the edge
 * for longer than that (docs/decisions/0004-storage-only-for-what-exists.md). Bounded in size.
 */

/** How long an isolate trusts a "registered" answer (docs/runtime.md, "The MCP hot path"). */
export const REGISTRY_MEMO_MS = 1_000;
/** Bound on remembered tenants: past it the oldest is dropped. */
const MAX_REMEMBERED = 1_024;

const seen = new Map<string, number>();

/** Whether `tenant` was seen registered less than {@link REGISTRY_MEMO_MS} ago. */
export function recentlyRegistered(tenant: string, now: number): boolean {
  const at = seen.get(tenant);
  if (at === undefined) return false;
  if (now - at < REGISTRY_MEMO_MS && now >= at) return true;
  seen.delete(tenant);
  return false;
}

export function rememberRegistered(tenant: string, now: number): void {
  seen.delete(tenant);
  seen.set(tenant, now);
  if (seen.size > MAX_REMEMBERED) {
    const oldest = seen.keys().next().value;
    if (oldest !== undefined) seen.delete(oldest);
  }
}

/** Drops a tenant (its deletion on this isolate), so this isolate learns it at once. */
export function forgetRegistered(tenant: string): void {
  seen.delete(tenant);
}
