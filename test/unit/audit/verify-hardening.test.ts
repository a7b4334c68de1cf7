/**
 * The audit digest and `edgeflow audit verify` after the attacker review of issue 15: each block
 * names the finding it closes.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { changeDigest } from "../../../engine/audit/audit-chain.ts";
import { canonicalJson } from "../../../engine/audit/canonical-json.ts";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

describe("finding 1: the digest is total", () => {
  it("never throws: non-finite numbers, undefined, functions, bigints and cycles have one text", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(canonicalJson(Number.POSITIVE_INFINITY)).toBe("null");
    expect(canonicalJson([Number.NaN, undefined, () => 1, 2n])).toBe('[null,null,null,"2"]');
    expect(canonicalJson({ b: undefined, a: Number.NEGATIVE_INFINITY, f: () => 1 })).toBe('{"a":null}');
    expect(canonicalJson(cyclic)).toBe('{"a":1,"self":null}');
    expect(changeDigest({ value: Number.POSITIVE_INFINITY }, sha256)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("is unchanged for JSON values: sorted keys, no whitespace", () => {
    expect(canonicalJson({ b: [1, "x", null, true], a: { d: 2.5, c: {} } })).toBe(
      '{"a":{"c":{},"d":2.5},"b":[1,"x",null,true]}',
    );
  });
});
