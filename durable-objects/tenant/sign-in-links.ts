/**
 * @module
 * One-time sign-in links an admin issues for the OAuth consent page (docs/auth.md). Each is kept
 * by the SHA-256 hash of its secret only, in the object's synchronous key-value storage
 * (`sign-in-link:<hash>` → expiry), until it is redeemed (deleted: it works once) or expires.
 * Expired entries are dropped whenever a new link is issued. No SQL table: nothing queries them
 * but by hash.
 */
import { EngineError } from "../../engine/errors.ts";

const PREFIX = "sign-in-link:";
/** most unredeemed links a tenant holds at once: an admin issuing more has forgotten some */
export const MAX_OPEN_SIGN_IN_LINKS = 100;

export class SignInLinks {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  issue(hash: string, expiresAt: number, now: number): void {
    let open = 0;
    for (const [key, expiry] of this.#kv.list<number>({ prefix: PREFIX })) {
      if (expiry <= now) this.#kv.delete(key);
      else open += 1;
    }
    if (open >= MAX_OPEN_SIGN_IN_LINKS) {
      throw new EngineError(
        "auth.sign_in_links_exhausted",
        `The tenant has ${open} unused sign-in links; wait until some expire (at most ${MAX_OPEN_SIGN_IN_LINKS} at once).`,
      );
    }
    this.#kv.put(PREFIX + hash, expiresAt);
  }

  /** The link's expiry if it is still usable; `null` when it is unknown, used or expired. */
  peek(hash: string, now: number): number | null {
    const expiresAt = this.#kv.get<number>(PREFIX + hash);
    return expiresAt !== undefined && expiresAt > now ? expiresAt : null;
  }

  /** Withdraws every unused link (the admin revoked the tenant's sign-ins); how many were usable. */
  withdrawAll(now: number): number {
    let usable = 0;
    for (const [key, expiry] of this.#kv.list<number>({ prefix: PREFIX })) {
      if (expiry > now) usable += 1;
      this.#kv.delete(key);
    }
    return usable;
  }

  /** Uses the link up: true the first time (within its lifetime), false ever after. */
  redeem(hash: string, now: number): boolean {
    const usable = this.peek(hash, now) !== null;
    this.#kv.delete(PREFIX + hash);
    return usable;
  }
}
