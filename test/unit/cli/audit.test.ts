/**
 * @module
 * `edgeflow audit verify`, run as users run it: a child process on an export file; the exit code is
 * 0 when the chain verifies, 1 at the first bad entry (named `file:line: seq N: problem`), 2 on usage.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sealEntry } from "../../../engine/audit/audit-chain.ts";
import { type AuditEntry, GENESIS_HASH } from "../../../engine/audit/audit-entry.ts";

const CLI = fileURLToPath(new URL("../../../cli/edgeflow.ts", import.meta.url));
const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", CLI, ...args], {
    encoding: "utf8",
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

function exportFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "edgeflow-audit-")), "audit.jsonl");
  writeFileSync(file, lines.map((line) => `${line}\n`).join(""));
  return file;
}

const first = sealEntry(
  {
    seq: 1,
    at: "2026-12-05T00:00:00.000Z",
    actor: "admin",
    action: "tenant.create",
    object: { type: "tenant", id: "acme" },
    request_id: "req-1",
    changes: {},
  },
  GENESIS_HASH,
  sha256,
);
const second: AuditEntry = sealEntry(
  {
    seq: 2,
    at: "2026-12-05T00:00:01.000Z",
    actor: "admin",
    action: "secret.set",
    object: { type: "secret", id: "GITHUB_TOKEN" },
    request_id: "req-2",
    changes: { value: "changed" },
  },
  first.hash,
  sha256,
);

describe("edgeflow audit verify", () => {
  it("exits 0 and says how many entries verified", () => {
    const file = exportFile([JSON.stringify(first), JSON.stringify(second)]);
    const result = run("audit", "verify", file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${file}: 2 entries, the chain verifies (head 2:${second.hash}, for --expect)\n`,
    );
  });

  it("exits 1 and points at the first bad entry", () => {
    const tampered = JSON.stringify(second).replace("GITHUB_TOKEN", "GITHUB_TOKEM");
    const file = exportFile([JSON.stringify(first), tampered]);
    const result = run("audit", "verify", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${file}:2: seq 2: hash does not match the entry (the entry was changed)\n`);
  });

  it("exits 1 on a file it cannot read, 2 on usage errors", () => {
    expect(run("audit", "verify", "does-not-exist.jsonl").code).toBe(1);
    expect(run("audit").code).toBe(2);
    expect(run("audit", "check", "x.jsonl").code).toBe(2);
    expect(run("audit", "verify").code).toBe(2);
  });
});
