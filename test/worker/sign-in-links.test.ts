/**
 * The TenantDO's sign-in link store (durable-objects/tenant/sign-in-links.ts) over an in-memory
 * stand-in for the object's synchronous key-value storage: a link works once and until it
 * expires, expired links are dropped, a tenant holds at most MAX_OPEN_SIGN_IN_LINKS, and the
 * admin can withdraw them all.
 */
import { describe, expect, it } from "vitest";
import { MAX_OPEN_SIGN_IN_LINKS, SignInLinks } from "../../durable-objects/tenant/sign-in-links.ts";
import { EngineError } from "../../engine/errors.ts";

function memoryKv(): SyncKvStorage & { size: () => number } {
  const entries = new Map<string, unknown>();
  return {
    get: <T>(key: string) => entries.get(key) as T | undefined,
    put: (key: string, value: unknown) => {
      entries.set(key, value);
    },
    delete: (key: string) => entries.delete(key),
    list: <T>(options?: { prefix?: string }) =>
      [...entries]
        .filter(([key]) => key.startsWith(options?.prefix ?? ""))
        .sort(([a], [b]) => a.localeCompare(b)) as [string, T][],
    size: () => entries.size,
  } as unknown as SyncKvStorage & { size: () => number };
}

describe("sign-in links", () => {
  it("work once, until they expire", () => {
    const links = new SignInLinks(memoryKv());
    links.issue("h1", 2_000, 1_000);
    expect(links.peek("h1", 1_500)).toBe(2_000);
    expect(links.peek("h1", 1_500)).toBe(2_000); // looking does not use it
    expect(links.redeem("h1", 1_500)).toBe(true);
    expect(links.redeem("h1", 1_500)).toBe(false);
    expect(links.peek("h1", 1_500)).toBeNull();
    links.issue("h2", 2_000, 1_000);
    expect(links.redeem("h2", 2_000)).toBe(false); // expired at its expiry
    expect(links.redeem("unknown", 1_000)).toBe(false);
  });

  it("holds at most MAX_OPEN_SIGN_IN_LINKS unused links, dropping expired ones when issuing", () => {
    const kv = memoryKv();
    const links = new SignInLinks(kv);
    for (let index = 0; index < MAX_OPEN_SIGN_IN_LINKS; index += 1) links.issue(`h${index}`, 2_000, 1_000);
    expect(() => links.issue("one-more", 2_000, 1_000)).toThrow(EngineError);
    try {
      links.issue("one-more", 2_000, 1_000);
    } catch (error) {
      expect((error as EngineError).code).toBe("auth.sign_in_links_exhausted");
    }
    links.issue("after-expiry", 9_000, 3_000); // all earlier ones expired: dropped, room again
    expect(kv.size()).toBe(1);
  });

  it("withdraws every link at once, counting the usable ones", () => {
    const kv = memoryKv();
    const links = new SignInLinks(kv);
    links.issue("old", 1_500, 1_000);
    links.issue("h1", 9_000, 1_000);
    links.issue("h2", 9_000, 1_000);
    expect(links.withdrawAll(2_000)).toBe(2);
    expect(kv.size()).toBe(0);
    expect(links.redeem("h1", 2_000)).toBe(false);
    expect(links.withdrawAll(2_000)).toBe(0);
  });
});
