/**
 * @module
 * A per-isolate memo of `/mcp` callers the TenantDO admitted (valid key or grant, tenant active,
 * request within the rate limits), each trusted for less than {@link ADMITTED_CALLER_MS}: an agent
 * calls `workflow_get_next_step` again and again, and asking the TenantDO on every call is a
 * Durable Object round trip that a no-op request does not pay (docs/runtime.md, "The MCP hot path").
 *
 * - Keyed by tenant and the caller's identity together (an API key's id AND its SHA-256 hash, or an
 *   OAuth grant's identity as oauth/grant-props.ts resolves it): one tenant's entry never admits
 *   another tenant, and a different key with the same id never matches.
 * - Only a positive answer is remembered; a refusal (invalid key, suspended or deleted tenant,
 *   rate limit) is never, and drops the entry.
 * - The rate limits are never overdrawn: the memo admits only units the TenantDO already charged
 *   ahead for this caller (a lease, `Admission.lease`), inside that lease's window. The lease asked
 *   for grows with what the caller used from its last entry ({@link leaseWanted}); units left
 *   unused when the entry is refreshed or expires go back (`Admission.refund`) with the caller's
 *   next call to the TenantDO, in the same window only.
 * - The answer asked last wins: an older one landing later adds only its lease (same window).
 *   Answers asked at or before {@link AdmittedCallers.forgetTenant} (an admin change through this
 *   isolate) are ignored.
 * - Bounded: {@link MAX_ADMITTED_CALLERS} entries, the oldest dropped first.
 * - The clock is injected (the module's instance reads `Date.now()`), so tests move time by hand.
 *
 * No I/O here: oauth/grant-props.ts asks the TenantDO and feeds the answers in.
 * `EDGEFLOW_MCP_KEY_CACHE=0` turns the memo off (the benchmark's same-run comparison).
 */
import type { RateLimitLease } from "../../durable-objects/tenant/contracts.ts";
import { MAX_LEASE_UNITS } from "../../durable-objects/tenant/contracts.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";

/** How long an isolate trusts the TenantDO's "admitted" (strictly less than this). */
export const ADMITTED_CALLER_MS = 1_000;
/** Bound on remembered callers: past it the oldest is dropped. */
export const MAX_ADMITTED_CALLERS = 1_024;

interface AdmittedEntry {
  /** when the TenantDO was asked (the answer is at least this fresh); 0: not usable, only holds a refund */
  at: number;
  /** the TenantDO's verdict for the request that filled the entry, when one was charged */
  verdict: RateLimitVerdict | undefined;
  /** units the TenantDO charged ahead that this entry may admit */
  lease: RateLimitLease | undefined;
  /** units admitted from the lease */
  used: number;
}

/** What a memo hit answers: the caller is admitted, with the verdict the headers show. */
export interface MemoAdmission {
  rateLimit?: RateLimitVerdict;
}

/** What to send with the next call to the TenantDO for a caller. */
export interface AskTerms {
  /** units to ask to be charged ahead (0: none) */
  lease: number;
  /** unused units of the caller's last lease, to give back */
  refund: RateLimitLease | undefined;
}

export class AdmittedCallers {
  readonly #entries = new Map<string, AdmittedEntry>();
  /** per tenant, when an admin change was last learnt here: answers asked until then are ignored */
  readonly #forgottenAt = new Map<string, number>();
  readonly #clock: () => number;

  constructor(clock: () => number = () => Date.now()) {
    this.#clock = clock;
  }

  /** The memo's clock (the time the entries are judged against). */
  now(): number {
    return this.#clock();
  }

  /**
   * Admits `cost` units for the caller from its entry, or `undefined` when the TenantDO must be
   * asked: no entry, entry too old, the lease's window over, or not enough of the lease left.
   */
  admit(tenant: string, identity: string, cost: number | undefined): MemoAdmission | undefined {
    const entry = this.#entries.get(keyOf(tenant, identity));
    const now = this.#clock();
    if (entry === undefined || entry.at === 0 || now < entry.at || now - entry.at >= ADMITTED_CALLER_MS) {
      return undefined;
    }
    if (cost === undefined) return {};
    const { verdict, lease } = entry;
    if (verdict === undefined || lease === undefined) return undefined; // nothing charged ahead: ask
    const windowEndsAt = entry.at + verdict.resetMs;
    if (now >= windowEndsAt || cost > lease.units - entry.used) return undefined;
    entry.used += cost;
    const remaining = Math.max(0, verdict.remaining - entry.used);
    return { rateLimit: { ...verdict, remaining, resetMs: windowEndsAt - now } };
  }

  /**
   * Takes the caller's entry out for a call to the TenantDO: what lease to ask for (grows with what
   * the last entry admitted, none for a caller not seen within the bound) and the unused units to
   * give back. Until the answer comes back, the caller is not admitted from the memo.
   */
  takeForAsk(tenant: string, identity: string): AskTerms {
    const key = keyOf(tenant, identity);
    const entry = this.#entries.get(key);
    if (entry === undefined) return { lease: 0, refund: undefined };
    this.#entries.delete(key);
    const recent = entry.at !== 0 && this.#clock() - entry.at < 2 * ADMITTED_CALLER_MS;
    return { lease: recent ? leaseWanted(entry.used) : 0, refund: unusedOf(entry) };
  }

  /** Keeps a refund whose call did not reach the TenantDO, for the caller's next call. */
  keepRefund(tenant: string, identity: string, refund: RateLimitLease | undefined): void {
    if (refund === undefined || refund.units <= 0) return;
    const key = keyOf(tenant, identity);
    const entry = this.#entries.get(key);
    if (entry === undefined) this.#store(key, { at: 0, verdict: undefined, lease: refund, used: 0 });
    else entry.lease = merged(entry.lease, refund);
  }

  /**
   * Remembers the TenantDO's positive answer, asked at `askedAt`, with the units it charged ahead.
   * A refused verdict is not remembered; an answer asked before the entry's own, or at or before
   * the tenant's last {@link forgetTenant}, fills nothing (an older one's lease is added, same window).
   */
  remember(
    tenant: string,
    identity: string,
    askedAt: number,
    verdict: RateLimitVerdict | undefined,
    lease?: RateLimitLease,
  ): void {
    if (verdict !== undefined && !verdict.admitted) return;
    if (askedAt <= (this.#forgottenAt.get(tenant) ?? Number.NEGATIVE_INFINITY)) return;
    const key = keyOf(tenant, identity);
    const current = this.#entries.get(key);
    if (current !== undefined && current.at > askedAt) {
      if (lease !== undefined) current.lease = merged(current.lease, lease);
      return;
    }
    const left = current === undefined ? undefined : unusedOf(current);
    const kept = left === undefined ? lease : merged(lease, left);
    this.#store(key, { at: askedAt, verdict, lease: kept, used: 0 });
  }

  /** Drops the caller's entry (the TenantDO refused it). */
  forget(tenant: string, identity: string): void {
    this.#entries.delete(keyOf(tenant, identity));
  }

  /**
   * Stops admitting every caller of `tenant` from memory (an admin changed it through this isolate:
   * learnt at once here; their unused leased units are kept to give back), and ignores answers to
   * calls asked until now.
   */
  forgetTenant(tenant: string): void {
    const prefix = keyOf(tenant, "");
    for (const [key, entry] of [...this.#entries]) {
      if (!key.startsWith(prefix)) continue;
      const unused = unusedOf(entry);
      if (unused === undefined) this.#entries.delete(key);
      else this.#entries.set(key, { at: 0, verdict: undefined, lease: unused, used: 0 });
    }
    const now = this.#clock();
    this.#forgottenAt.delete(tenant);
    this.#forgottenAt.set(tenant, now);
    // an answer asked a bound ago is never used anyway: older marks can go
    for (const [name, at] of this.#forgottenAt) {
      if (now - at < ADMITTED_CALLER_MS && this.#forgottenAt.size <= MAX_ADMITTED_CALLERS) break;
      this.#forgottenAt.delete(name);
    }
  }

  /** How many callers are remembered (tests). */
  get size(): number {
    return this.#entries.size;
  }

  #store(key: string, entry: AdmittedEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ADMITTED_CALLERS) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

/** The lease to ask for after an entry that admitted `used` units: twice that plus one call, capped. */
export function leaseWanted(used: number): number {
  return Math.min(MAX_LEASE_UNITS, 2 * (used + 1));
}

/** The units of an entry's lease it did not admit, with their window. */
function unusedOf(entry: AdmittedEntry): RateLimitLease | undefined {
  const lease = entry.lease;
  if (lease === undefined || lease.units - entry.used <= 0) return undefined;
  return { units: lease.units - entry.used, window: lease.window };
}

/** Two leases as one: added in the same window, else the newer window's (the older is over). */
function merged(a: RateLimitLease | undefined, b: RateLimitLease): RateLimitLease {
  if (a === undefined || b.window > a.window) return b;
  if (a.window > b.window) return a;
  return { units: a.units + b.units, window: a.window };
}

function keyOf(tenant: string, identity: string): string {
  return `${tenant}\u0000${identity}`;
}

/** A key's identity in the memo: its id and its hash, so another key with the same id never matches. */
export function keyIdentityOf(keyId: string, keyHash: string | undefined): string {
  return keyHash === undefined ? `key:${keyId}` : `key:${keyId}:${keyHash}`;
}

/** The isolate's memo. */
export const admittedCallers = new AdmittedCallers();

/** Whether the memo is on for this worker (`EDGEFLOW_MCP_KEY_CACHE=0` turns it off). */
export function admittedCallerMemoOn(env: { EDGEFLOW_MCP_KEY_CACHE?: string }): boolean {
  return env.EDGEFLOW_MCP_KEY_CACHE !== "0";
}
