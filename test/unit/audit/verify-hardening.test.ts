/**
 * The audit digest and `edgeflow audit verify` after the attacker review of issue 15: each block
 * names the finding it closes.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeVerdict, verifyAuditExport } from "../../../cli/audit/verify-export.ts";
import { auditLine, changeDigest, sealEntry } from "../../../engine/audit/audit-chain.ts";
import { type AuditEntry, GENESIS_HASH } from "../../../engine/audit/audit-entry.ts";
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

function chain(n: number, action = (_seq: number) => "settings.update"): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry = sealEntry(
      {
        seq,
        at: "2026-12-05T00:00:00.000Z",
        actor: seq === 3 ? "key:aaaaaaaaaaaaaaaa" : "admin",
        action: action(seq) as AuditEntry["action"],
        object: { type: "secret", id: "PROD_DB" },
        request_id: null,
        changes: {},
      },
      prev,
      sha256,
    );
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}
const jsonl = (entries: AuditEntry[]) => entries.map((entry) => `${auditLine(entry)}\n`).join("");

describe("finding 3: verify reports every problem and keeps checking after a shape failure", () => {
  it("a line that fails only the shape check is still linked: a later changed entry is reported too", () => {
    const entries = chain(5, (seq) => (seq === 2 ? "Not-An-Action" : "settings.update"));
    const lines = jsonl(entries).split("\n");
    lines[3] = lines[3]!.replace('"actor":"admin"', '"actor":"system"');
    const verdict = verifyAuditExport(lines.join("\n"));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.problems.map((problem) => [problem.line, problem.seq])).toEqual([
      [2, 2],
      [4, 4],
    ]);
    expect(verdict.problems[0]!.problem).toContain("not an audit entry at action");
    expect(verdict.problems[1]!.problem).toContain("hash does not match");
    expect(describeVerdict("x.jsonl", verdict).split("\n")).toHaveLength(2);
  });

  it("a line that is not JSON is one problem; the entries after it are still checked", () => {
    const lines = jsonl(chain(4)).split("\n");
    lines[1] = "{not json";
    const verdict = verifyAuditExport(lines.join("\n"));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems).toEqual([{ line: 2, problem: "not a JSON object" }]);
  });
});

describe("finding 6: verify requires each line to be the bytes that were hashed", () => {
  it("an untouched export verifies", () => {
    expect(verifyAuditExport(jsonl(chain(4)))).toMatchObject({ ok: true, entries: 4 });
  });

  it("a line with duplicate keys (a first-key-wins reader sees another actor) fails", () => {
    const lines = jsonl(chain(4)).split("\n");
    lines[2] = lines[2]!.replace(/^\{/, '{"actor":"admin","action":"key.create",');
    expect(verifyAuditExport(lines.join("\n"))).toMatchObject({ ok: false, line: 3, seq: 3 });
  });

  it.each([
    ["CRLF line ends", (text: string) => text.replaceAll("\n", "\r\n")],
    ["whitespace", (text: string) => text.replaceAll('"seq":', ' "seq" : ')],
    ["another number form", (text: string) => text.replace('"seq":2', '"seq":2.0e0')],
  ])("%s fail", (_name, change) => {
    expect(verifyAuditExport(change(jsonl(chain(3))))).toMatchObject({ ok: false });
  });
});
