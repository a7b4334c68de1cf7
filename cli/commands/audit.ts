/**
 * @module
 * `edgeflow audit verify <file.jsonl> [--expect <seq>:<hash>]`: checks an audit-log export's hash
 * chain and prints every problem as `file:line: seq N: what is wrong`. `--expect` names an entry the
 * file must hold (the export's `X-Audit-Head`, or a last hash kept from an earlier export). Exit 0
 * when the chain verifies, 1 when it does not (or the file cannot be read), 2 on a usage error.
 */
import { parseChainHead } from "../../engine/audit/chain-verifier.ts";
import { describeVerdict } from "../audit/verify-export.ts";
import { verifyAuditFile } from "../audit/verify-file.ts";
import type { CommandIo } from "./command-io.ts";

export const AUDIT_USAGE =
  "audit verify <file.jsonl> [--expect <seq>:<hash>]   check an audit-log export's hash chain; exit 1 if broken";

export async function auditCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [subcommand, file, ...options] = args;
  const expectText = options.length === 2 && options[0] === "--expect" ? options[1]! : undefined;
  const expect = expectText === undefined ? undefined : parseChainHead(expectText);
  const usable = options.length === 0 || expect !== undefined;
  if (subcommand !== "verify" || file === undefined || file.startsWith("-") || !usable) {
    io.err(`usage: edgeflow ${AUDIT_USAGE}`);
    return 2;
  }
  let verdict: Awaited<ReturnType<typeof verifyAuditFile>>;
  try {
    verdict = await verifyAuditFile(file, expect);
  } catch (error) {
    io.err(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return 1;
  }
  if (verdict.ok) {
    io.out(describeVerdict(file, verdict));
    return 0;
  }
  io.err(describeVerdict(file, verdict));
  return 1;
}
