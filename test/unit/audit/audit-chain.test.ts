/**
 * The audit hash chain (engine/audit/audit-chain.ts), as `edgeflow audit verify` runs it
 * (cli/audit/verify-export.ts): any sequence of entries sealed one after another verifies, and
 * changing any one byte of any entry's JSONL line makes verify fail at exactly that line (or, if
 * the change split the line, at the line it became).
 */

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeVerdict, verifyAuditExport } from "../../../cli/audit/verify-export.ts";
import { sealEntry } from "../../../engine/audit/audit-chain.ts";
import { AUDIT_ACTIONS, type AuditEntry, GENESIS_HASH } from "../../../engine/audit/audit-entry.ts";
import { canonicalJson } from "../../../engine/audit/canonical-json.ts";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });

const draftArbitrary: fc.Arbitrary<Draft> = fc.record({
  at: fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
  actor: fc.oneof(
    hex(16).map((id) => `key:${id}`),
    fc.constantFrom("admin", "event", "schedule", "system"),
  ),
  action: fc.constantFrom(...AUDIT_ACTIONS),
  object: fc.record({
    type: fc.constantFrom("tenant", "key", "secret", "workflow", "run", "service", "subscription"),
    // any text, quotes, backslashes, control characters and astral characters included
    id: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
  }),
  request_id: fc.option(
    fc.string({ minLength: 1, maxLength: 40 }).filter((id) => id.length <= 255),
    {
      nil: null,
    },
  ),
  changes: fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
    fc.oneof(
      hex(64).map((digest) => `sha256:${digest}`),
      fc.constant("changed"),
    ),
    { maxKeys: 3 },
  ),
});

type Draft = Omit<AuditEntry, "seq" | "prev_hash" | "hash">;

function chainOf(drafts: Draft[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const [index, draft] of drafts.entries()) {
    entries.push(sealEntry({ seq: index + 1, ...draft }, entries.at(-1)?.hash ?? GENESIS_HASH, sha256));
  }
  return entries;
}

const jsonlOf = (entries: AuditEntry[]) => entries.map((entry) => `${JSON.stringify(entry)}\n`).join("");

describe("the audit chain", () => {
  it("verifies any sequence of entries", () => {
    fc.assert(
      fc.property(fc.array(draftArbitrary, { maxLength: 12 }), (drafts) => {
        const entries = chainOf(drafts);
        const verdict = verifyAuditExport(jsonlOf(entries));
        expect(verdict).toEqual({
          ok: true,
          entries: entries.length,
          lastHash: entries.at(-1)?.hash ?? GENESIS_HASH,
        });
      }),
      { numRuns: 200 },
    );
  });

  it("fails at exactly the entry whose byte was changed (or the line it split into)", () => {
    const changed = fc.array(draftArbitrary, { minLength: 1, maxLength: 8 }).chain((drafts) =>
      fc.record({
        drafts: fc.constant(drafts),
        entry: fc.nat({ max: drafts.length - 1 }),
        position: fc.nat(),
        byte: fc.integer({ min: 1, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(changed, ({ drafts, entry, position, byte }) => {
        const lines = chainOf(drafts).map((sealed) => JSON.stringify(sealed));
        const bytes = new TextEncoder().encode(lines[entry]);
        const at = position % bytes.length;
        bytes[at] = (bytes[at]! + byte) % 256; // a different byte: byte is 1..255
        lines[entry] = new TextDecoder().decode(bytes);
        const verdict = verifyAuditExport(`${lines.join("\n")}\n`);
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) expect([entry + 1, entry + 2]).toContain(verdict.line);
      }),
      { numRuns: 1000 },
    );
  });

  it("hashes canonical JSON: key order and the hash field itself do not matter", () => {
    const [entry] = chainOf([
      {
        at: new Date(0).toISOString(),
        actor: "admin",
        action: "tenant.create",
        object: { type: "tenant", id: "a" },
        request_id: null,
        changes: {},
      },
    ]);
    const { hash, ...rest } = entry!;
    expect(hash).toBe(sha256(canonicalJson(rest)));
    // the hash ignores key order, but verify also wants the line exactly as exported
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(entry!).reverse()));
    expect(verifyAuditExport(`${reordered}\n`)).toMatchObject({
      ok: false,
      problem: "the line is not the entry as exported (extra bytes, duplicate keys or another number form)",
    });
  });

  it("names the line, the seq and what is wrong", () => {
    const entries = chainOf([
      {
        at: new Date(0).toISOString(),
        actor: "admin",
        action: "tenant.create",
        object: { type: "tenant", id: "a" },
        request_id: "r1",
        changes: {},
      },
      {
        at: new Date(1).toISOString(),
        actor: "key:ab12",
        action: "secret.set",
        object: { type: "secret", id: "TOKEN" },
        request_id: "r2",
        changes: { value: "changed" },
      },
      {
        at: new Date(2).toISOString(),
        actor: "admin",
        action: "key.revoke",
        object: { type: "key", id: "ab12" },
        request_id: "r3",
        changes: {},
      },
    ]);
    const tampered = entries.map((entry) => ({ ...entry }));
    tampered[1]!.object = { type: "secret", id: "OTHER" };
    const verdict = verifyAuditExport(jsonlOf(tampered));
    expect(verdict).toMatchObject({
      ok: false,
      line: 2,
      seq: 2,
      problem: "hash does not match the entry (the entry was changed)",
    });
    expect(describeVerdict("audit.jsonl", verdict)).toBe(
      "audit.jsonl:2: seq 2: hash does not match the entry (the entry was changed)",
    );
    // an entry removed: the next one no longer follows
    const gap = verifyAuditExport(jsonlOf([entries[0]!, entries[2]!]));
    expect(gap).toMatchObject({ ok: false, line: 2, seq: 3, problem: "seq 3 follows seq 1; expected 2" });
    // an entry re-sealed after a change: its successor's prev_hash gives it away
    const resealed = [
      entries[0]!,
      sealEntry({ ...entries[1]!, actor: "admin" }, entries[0]!.hash, sha256),
      entries[2]!,
    ];
    expect(verifyAuditExport(jsonlOf(resealed))).toMatchObject({ ok: false, line: 3, seq: 3 });
  });
});
