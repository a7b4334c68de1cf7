/**
 * Tenant key scoping as a property: for any two different tenants and any keys, a key stored for
 * one never lands under the other's prefix, and nothing stored for one is visible to the other.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tenantKeys } from "../../../plugins/store/tenant-keys.ts";

const tenantId = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const key = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("../", "../x", "t/", "/t/b/x", "..", "*", "\\"),
  fc.tuple(tenantId, fc.string({ maxLength: 8 })).map(([tenant, rest]) => `t/${tenant}/${rest}`),
);

describe("tenantKeys", () => {
  it.each(["", "_plugins/"])("keeps tenants apart (outer prefix %j)", (outer) => {
    fc.assert(
      fc.property(tenantId, tenantId, key, key, (a, b, keyA, prefixB) => {
        fc.pre(a !== b);
        const keysA = tenantKeys(`t/${a}/`, outer);
        const keysB = tenantKeys(`t/${b}/`, outer);
        const stored = keysA.stored(keyA);
        expect(stored.startsWith(`${outer}t/${a}/`)).toBe(true);
        expect(stored.startsWith(keysB.listPrefix(prefixB))).toBe(false);
        expect(keysB.visible(stored)).toBeUndefined();
        expect(keysA.visible(stored)).toBe(keyA);
      }),
      { numRuns: 500 },
    );
  });

  it.each(["t/a", "t/A/", "x/a/", "t/a/b/", "t/-a/", ""])("refuses the prefix %j", (prefix) => {
    expect(() => tenantKeys(prefix)).toThrow(/runtime bug/);
  });
});
