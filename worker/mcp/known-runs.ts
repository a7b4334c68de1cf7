/**
 * @module
 * A per-isolate memo of runs the tenant's run index confirmed (existing-run.ts), each trusted at
 * most {@link KNOWN_RUN_MS}: an agent calls `workflow_get_next_step` on the same run again and
 * again, and asking the TenantDO each time is a second Durable Object round trip on every call.
 * Keyed by tenant and run id together, the tenant being the one the caller authenticated as, so
 * one tenant's confirmation never opens another's run; only "exists" is remembered. What it
 * trades: for at most one second after a run is deleted (retention, tenant deletion), an isolate
 * that saw it may reach its RunDO once more, which refuses (`run.not_found`: the RunDO checks the
 * tenant and id in its own row). Suspension and revocation are unaffected: they are checked by the
 * TenantDO (oauth/grant-props.ts), within their own one-second bound (keys/admitted-callers.ts).
 * Bounded in size.
 * `EDGEFLOW_MCP_KNOWN_RUNS=0` turns it off (the benchmark's same-run comparison).
 */

/** How long an isolate trusts "this run exists" (docs/runtime.md, "The MCP hot path"). */
export const KNOWN_RUN_MS = 1_000;
/** Bound on remembered runs: past it the oldest is dropped. */
const MAX_REMEMBERED = 4_096;

const confirmed = new Map<string, number>();

function keyOf(tenant: string, runId: string): string {
  return `${tenant}\u0000${runId}`;
}

/** Whether the tenant's run index confirmed `runId` less than {@link KNOWN_RUN_MS} ago. */
export function recentlyConfirmedRun(tenant: string, runId: string, now: number): boolean {
  const key = keyOf(tenant, runId);
  const at = confirmed.get(key);
  if (at === undefined) return false;
  if (now >= at && now - at < KNOWN_RUN_MS) return true;
  confirmed.delete(key);
  return false;
}

export function rememberConfirmedRun(tenant: string, runId: string, now: number): void {
  const key = keyOf(tenant, runId);
  confirmed.delete(key);
  confirmed.set(key, now);
  if (confirmed.size > MAX_REMEMBERED) {
    const oldest = confirmed.keys().next().value;
    if (oldest !== undefined) confirmed.delete(oldest);
  }
}

/** Whether the memo is on for this worker (`EDGEFLOW_MCP_KNOWN_RUNS=0` turns it off). */
export function knownRunsOn(env: { EDGEFLOW_MCP_KNOWN_RUNS?: string }): boolean {
  return env.EDGEFLOW_MCP_KNOWN_RUNS !== "0";
}
