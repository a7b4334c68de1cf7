/** Proves the cache keeps at most its capacity, evicts the least recently used and releases what it drops. */
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../../engine/expressions/bounded-cache.ts";

describe("BoundedCache", () => {
  it("evicts the least recently used entry and reports it", () => {
    const evicted: string[] = [];
    const cache = new BoundedCache<string, number>(2, (_, key) => evicted.push(key));
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(evicted).toEqual(["b"]);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("releases a replaced value and everything on clear", () => {
    const evicted: number[] = [];
    const cache = new BoundedCache<string, number>(3, (value) => evicted.push(value));
    cache.set("a", 1);
    cache.set("a", 2);
    cache.set("b", 3);
    cache.clear();
    expect(evicted).toEqual([1, 2, 3]);
    expect(cache.size).toBe(0);
  });

  it("rejects a capacity below one", () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});
