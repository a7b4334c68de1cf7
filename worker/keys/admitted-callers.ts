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
 * - The rate limit stays charged: units admitted from the memo are counted per entry and handed to
 *   the TenantDO in the next call for that caller (`Admission.carried`), which charges them before
 *   it judges the new request. An entry admits at most the `remaining` units the TenantDO reported,
 *   and only inside the window it reported; past either, the caller is asked about again at once.
 *   Units of a window that ended before they were reported, and units of an entry dropped (bound,
 *   refusal, isolate gone) are not charged: at most what one entry admits in one memo lifetime.
 * - Bounded: {@link MAX_ADMITTED_CALLERS} entries, the oldest dropped first.
 * - The clock is injected (the module's instance reads `Date.now()`), so tests move time by hand.
 *
 * No I/O here: oauth/grant-props.ts asks the TenantDO and feeds the answers in.
 * `EDGEFLOW_MCP_KEY_CACHE=0` turns the memo off (the benchmark's same-run comparison).
 */
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";

/** How long an isolate trusts the TenantDO's "admitted" (strictly less than this). */
export const ADMITTED_CALLER_MS = 1_000;
/** Bound on remembered callers: past it the oldest is dropped. */
export const MAX_ADMITTED_CALLERS = 1_024;

interface AdmittedEntry {
  /** when the TenantDO was asked (the answer is at least this fresh); 0: not usable, only carries units */
  at: number;
  /** the TenantDO's verdict for the request that filled the entry, when one was charged */
  verdict: RateLimitVerdict | undefined;
  /** units admitted from this entry (and carried back) that the TenantDO has not been told of */
  unreported: number;
}

/** What a memo hit answers: the caller is admitted, with the verdict the headers show. */
export interface MemoAdmission {
  rateLimit?: RateLimitVerdict;
}

export class AdmittedCallers {
  readonly #entries = new Map<string, AdmittedEntry>();
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
   * asked: no entry, entry too old, the reported window over, or not enough of the reported budget
   * left (so a caller near its limit is judged by the TenantDO, not overdrawn here).
   */
  admit(tenant: string, identity: string, cost: number | undefined): MemoAdmission | undefined {
    const entry = this.#entries.get(keyOf(tenant, identity));
    const now = this.#clock();
    if (entry === undefined || entry.at === 0 || now < entry.at || now - entry.at >= ADMITTED_CALLER_MS) {
      return undefined;
    }
    if (cost === undefined) return {};
    const verdict = entry.verdict;
    if (verdict === undefined) return undefined; // nothing charged when it was filled: ask
    const windowEndsAt = entry.at + verdict.resetMs;
    const left = verdict.remaining - entry.unreported;
    if (now >= windowEndsAt || cost > left) return undefined;
    entry.unreported += cost;
    return { rateLimit: { ...verdict, remaining: left - cost, resetMs: windowEndsAt - now } };
  }

  /**
   * Takes the caller's entry out for a call to the TenantDO: the units it admitted and has not
   * reported (0 when they belong to a window that is over), to be charged in that call. Until the
   * answer comes back, the caller is not admitted from the memo.
   */
  takeUnreported(tenant: string, identity: string): number {
    const key = keyOf(tenant, identity);
    const entry = this.#entries.get(key);
    if (entry === undefined) return 0;
    this.#entries.delete(key);
    if (entry.verdict !== undefined && entry.at !== 0 && this.#clock() >= entry.at + entry.verdict.resetMs) {
      return 0;
    }
    return entry.unreported;
  }

  /** Gives units back when the call that was to report them did not reach the TenantDO. */
  carryBack(tenant: string, identity: string, units: number): void {
    if (units <= 0) return;
    const key = keyOf(tenant, identity);
    const entry = this.#entries.get(key);
    if (entry !== undefined) entry.unreported += units;
    else this.#store(key, { at: 0, verdict: undefined, unreported: units });
  }

  /** Remembers the TenantDO's positive answer, asked at `askedAt`. A refused verdict is not remembered. */
  remember(tenant: string, identity: string, askedAt: number, verdict: RateLimitVerdict | undefined): void {
    if (verdict !== undefined && !verdict.admitted) return;
    const key = keyOf(tenant, identity);
    // units admitted meanwhile from an entry another request filled are still unreported
    const unreported = this.#entries.get(key)?.unreported ?? 0;
    this.#store(key, { at: askedAt, verdict, unreported });
  }

  /** Drops the caller's entry (the TenantDO refused it). */
  forget(tenant: string, identity: string): void {
    this.#entries.delete(keyOf(tenant, identity));
  }

  /** Drops every entry of `tenant` (an admin changed it through this isolate: learnt at once here). */
  forgetTenant(tenant: string): void {
    const prefix = keyOf(tenant, "");
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
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
