/**
 * @module
 * A least-recently-used map with a fixed number of entries, used to cache parsed templates,
 * source analyses and compiled sandbox functions. An optional `onEvict` callback releases
 * what an entry owns (QuickJS handles). It must not grow past its capacity and must not
 * hold anything the caller did not put in.
 */

export class BoundedCache<K, V> {
  readonly #capacity: number;
  readonly #onEvict: ((value: V, key: K) => void) | undefined;
  readonly #entries = new Map<K, V>();

  constructor(capacity: number, onEvict?: (value: V, key: K) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`cache capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Returns the value and marks it as most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      if (previous !== value) this.#onEvict?.(previous, key);
    }
    this.#entries.set(key, value);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      const evicted = this.#entries.get(oldest.value) as V;
      this.#entries.delete(oldest.value);
      this.#onEvict?.(evicted, oldest.value);
    }
  }

  /** The keys, least recently used first. */
  keys(): K[] {
    return [...this.#entries.keys()];
  }

  /** Removes every entry, calling `onEvict` for each. */
  clear(): void {
    const entries = [...this.#entries];
    this.#entries.clear();
    for (const [key, value] of entries) this.#onEvict?.(value, key);
  }
}
