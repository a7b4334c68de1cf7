/**
 * @module
 * `edgeflow audit verify <file.jsonl>`: checks an audit-log export's hash chain and names the first
 * bad entry as `file:line: seq N: what is wrong`. Exit 0 when the chain verifies, 1 when it does not
 * (or the file cannot be read), 2 on a usage error.
 */
import { readFile } from "node:fs/promises";
import { describeVerdict, verifyAuditExport } from "../audit/verify-export.ts";
import type { CommandIo } from "./command-io.ts";

export const AUDIT_USAGE =
  "audit verify <file.jsonl>   check an audit-log export's hash chain; exit 1 if broken";

export async function auditCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [subcommand, file, ...extra] = args;
  if (subcommand !== "verify" || file === undefined || file.startsWith("-") || extra.length > 0) {
    io.err(`usage: edgeflow ${AUDIT_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    io.err(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return 1;
  }
  const verdict = verifyAuditExport(text);
  if (verdict.ok) {
    io.out(describeVerdict(file, verdict));
    return 0;
  }
  io.err(describeVerdict(file, verdict));
  return 1;
}
