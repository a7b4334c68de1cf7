/**
 * @module
 * The tenant's rate-limit counters, durable: one row per bucket (`rate_limit_windows`: the
 * window's start and the units used in it), read once into memory and written through on every
 * admitted request. The DO is single-threaded and the only writer, so the memory copy is exact;
 * an eviction drops only the copy, and the next request reads the rows again. The write happens
 * in the same synchronous stretch as the request's own writes (and inside their transaction where
 * there is one), so it commits with them and the answer waits for it (the output gate): an
 * admitted request is never forgotten. Refusals write nothing.
 */
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import { currentWindow, judge, type RateLimitBucket, type WindowCount } from "./rate-limit-policy.ts";

interface WindowRow extends Record<string, SqlStorageValue> {
  window_start: number;
  used: number;
}

export class RateLimiter {
  readonly #sql: () => SqlStorage;
  readonly #counts = new Map<string, WindowCount>();

  /** `sql` is asked for at each use: the table exists only once the tenant's migrations ran. */
  constructor(sql: () => SqlStorage) {
    this.#sql = sql;
  }

  /** Charges `cost` units to every bucket when all have room (else to none); the verdict says which. */
  admit(buckets: readonly RateLimitBucket[], cost: number, now: number): RateLimitVerdict {
    const counts = buckets.map((bucket) => currentWindow(this.#read(bucket.key), now));
    const verdict = judge(buckets, counts, cost, now);
    if (verdict.admitted) {
      buckets.forEach((bucket, index) => {
        const count = counts[index]!;
        this.#write(bucket.key, { start: count.start, used: count.used + cost });
      });
    }
    return verdict;
  }

  /**
   * Adds `units` to every bucket's current window without judging them (a lease the edge's memo
   * may admit: the caller checked that they fit).
   */
  charge(buckets: readonly RateLimitBucket[], units: number, now: number): void {
    for (const bucket of buckets) {
      const count = currentWindow(this.#read(bucket.key), now);
      this.#write(bucket.key, { start: count.start, used: count.used + units });
    }
  }

  /** Takes back `units` charged ahead in the window that started at `window` (none once it is over). */
  refund(buckets: readonly RateLimitBucket[], units: number, window: number, now: number): void {
    if (units <= 0) return;
    for (const bucket of buckets) {
      const count = currentWindow(this.#read(bucket.key), now);
      if (count.start !== window || count.used === 0) continue;
      this.#write(bucket.key, { start: count.start, used: Math.max(0, count.used - units) });
    }
  }

  /** Takes one unit from `bucket`; false when its window is full. */
  take(bucket: RateLimitBucket, now: number): boolean {
    return this.admit([bucket], 1, now).admitted;
  }

  #read(key: string): WindowCount | undefined {
    const known = this.#counts.get(key);
    if (known !== undefined) return known;
    const row = this.#sql()
      .exec<WindowRow>("SELECT window_start, used FROM rate_limit_windows WHERE bucket = ?", key)
      .toArray()[0];
    if (row === undefined) return undefined;
    const count = { start: row.window_start, used: row.used };
    this.#counts.set(key, count);
    return count;
  }

  #write(key: string, count: WindowCount): void {
    this.#sql().exec(
      `INSERT INTO rate_limit_windows (bucket, window_start, used) VALUES (?, ?, ?)
       ON CONFLICT (bucket) DO UPDATE SET window_start = excluded.window_start, used = excluded.used`,
      key,
      count.start,
      count.used,
    );
    this.#counts.set(key, count);
  }
}
