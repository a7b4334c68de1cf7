/**
 * `edgeflow audit verify --expect <seq>:<hash>` and the streamed file read (finding 7 of the
 * attacker review): an export cut short before the expected head fails; lines are read in pieces
 * and split at `\n` only.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAuditFile } from "../../../cli/audit/verify-file.ts";
import { auditCommand } from "../../../cli/commands/audit.ts";
import { auditLine, sealEntry } from "../../../engine/audit/audit-chain.ts";
import { type AuditEntry, GENESIS_HASH } from "../../../engine/audit/audit-entry.ts";
import { parseChainHead } from "../../../engine/audit/chain-verifier.ts";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry = sealEntry(
      {
        seq,
        at: "2026-12-05T00:00:00.000Z",
        actor: "admin",
        action: "settings.update",
        object: { type: "settings", id: "x".repeat(3000) },
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

function fileOf(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "edgeflow-audit-")), "audit.jsonl");
  writeFileSync(file, text);
  return file;
}

async function command(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await auditCommand(args, {
    out: (text: string) => out.push(text),
    err: (text: string) => err.push(text),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("finding 7: the export's head and a streamed read", () => {
  const entries = chain(60); // ~200 KB: more than one read chunk
  const text = entries.map((entry) => `${auditLine(entry)}\n`).join("");
  const head = `${entries.at(-1)!.seq}:${entries.at(-1)!.hash}`;

  it("verifies a file read in pieces, with and without the expected head", async () => {
    expect(await verifyAuditFile(fileOf(text))).toMatchObject({ ok: true, entries: 60 });
    expect(await verifyAuditFile(fileOf(text), parseChainHead(head))).toMatchObject({
      ok: true,
      entries: 60,
    });
    expect((await command("verify", fileOf(text), "--expect", head)).code).toBe(0);
  });

  it("an export cut short before the expected head fails with --expect (and only with it)", async () => {
    const cut = fileOf(
      entries
        .slice(0, 58)
        .map((entry) => `${auditLine(entry)}\n`)
        .join(""),
    );
    expect((await command("verify", cut)).code).toBe(0);
    const result = await command("verify", cut, "--expect", head);
    expect(result.code).toBe(1);
    expect(result.err).toContain("without the expected head seq 60");
  });

  it("a head whose hash differs fails at its line", async () => {
    const other = `60:${"f".repeat(64)}`;
    expect(await verifyAuditFile(fileOf(text), parseChainHead(other))).toMatchObject({
      ok: false,
      line: 60,
      seq: 60,
    });
  });

  it("CRLF line ends fail when read from a file too", async () => {
    expect(await verifyAuditFile(fileOf(text.replaceAll("\n", "\r\n")))).toMatchObject({
      ok: false,
      line: 1,
    });
  });

  it("a malformed --expect is a usage error", async () => {
    expect((await command("verify", fileOf(text), "--expect", "60")).code).toBe(2);
    expect((await command("verify", fileOf(text), "--expect")).code).toBe(2);
  });
});
