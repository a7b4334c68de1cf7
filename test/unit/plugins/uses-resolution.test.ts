/**
 * `uses: "<name>@<range>"`: parsing, and resolution to the highest version in range. The property
 * draws catalogs of random versions and random ranges and checks the resolved version against a
 * brute-force reading of the same catalog.
 */
import fc from "fast-check";
import semver from "semver";
import { describe, expect, it } from "vitest";
import type { PluginCatalog } from "../../../engine/plugins/descriptor.ts";
import { resolveUses } from "../../../engine/plugins/resolve.ts";
import { parseUses } from "../../../engine/plugins/uses-spec.ts";
import { demoV1, TEST_CATALOG } from "../../support/test-plugin-catalog.ts";

describe("parseUses", () => {
  it.for([
    ["http@^1", "http", "^1"],
    ["demo@ ~1.2.0 ", "demo", "~1.2.0"],
    ["redis@>=1.1 <3", "redis", ">=1.1 <3"],
    ["kv@*", "kv", "*"],
    ["my-plugin_2@1.4.2", "my-plugin_2", "1.4.2"],
  ])("reads %s", ([text, name, range]) => {
    expect(parseUses(text!)).toEqual({ ok: true, spec: { name, range } });
  });

  it.for(["http", "http@", "Http@^1", "1http@^1", "http@banana", "@^1", "ht tp@^1"])("refuses %s", (text) => {
    expect(parseUses(text).ok).toBe(false);
  });
});

describe("resolveUses", () => {
  it("picks the highest version in range, per major", () => {
    const pick = (uses: string) => {
      const resolved = resolveUses(TEST_CATALOG, uses);
      return resolved.ok ? resolved.plugin.version : resolved.code;
    };
    expect(pick("demo@^1")).toBe("1.4.2");
    expect(pick("demo@~1.0.0")).toBe("1.0.0");
    expect(pick("demo@^2")).toBe("2.0.0"); // the beta is not picked by a range without a pre-release
    expect(pick("demo@^2.1.0-beta.0")).toBe("2.1.0-beta.1");
    expect(pick("demo@*")).toBe("2.0.0");
    expect(pick("demo@^3")).toBe("plugin.no_matching_version");
    expect(pick("nope@^1")).toBe("plugin.unknown");
    expect(pick("demo")).toBe("plugin.invalid_uses");
  });
});

const versionArbitrary = fc
  .tuple(fc.nat(4), fc.nat(4), fc.nat(4), fc.option(fc.constantFrom("alpha.1", "beta.2", "rc.1")))
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre === null ? "" : `-${pre}`}`);

const rangeArbitrary = fc.oneof(
  versionArbitrary,
  fc.tuple(fc.constantFrom("^", "~", ">=", "<", "<=", ">"), versionArbitrary).map(([op, v]) => `${op}${v}`),
  fc.tuple(fc.nat(4), fc.nat(4)).map(([major, minor]) => `${major}.${minor}.x`),
  fc.tuple(versionArbitrary, versionArbitrary).map(([low, high]) => `>=${low} <${high}`),
  fc.constant("*"),
);

describe("resolution (property)", () => {
  it("answers a version in range with no higher one in range, or nothing when none is", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(versionArbitrary, { minLength: 1, maxLength: 12 }),
        rangeArbitrary,
        (versions, range) => {
          const catalog: PluginCatalog = { plugins: versions.map((version) => demoV1(version)) };
          const satisfying = versions.filter((version) => semver.satisfies(version, range));
          const resolved = resolveUses(catalog, `demo@${range}`);
          if (!resolved.ok) {
            expect(resolved.code).toBe("plugin.no_matching_version");
            expect(satisfying).toEqual([]);
            return;
          }
          expect(semver.satisfies(resolved.plugin.version, range)).toBe(true);
          expect(satisfying.filter((version) => semver.gt(version, resolved.plugin.version))).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
