/**
 * @module
 * What `edgeflow audit verify` checks, apart from reading the file: a JSONL export of a tenant's
 * audit log (`GET /admin/tenants/:id/audit`) against its hash chain (engine/audit/chain-verifier.ts),
 * with `node:crypto`'s SHA-256. Imports nothing that needs a file system, so tests in workerd run it
 * on an export as it came over HTTP.
 */
import { createHash } from "node:crypto";
import type { Sha256Hex } from "../../engine/audit/audit-chain.ts";
import { type ChainHead, type ChainVerdict, verifyAuditChain } from "../../engine/audit/chain-verifier.ts";

export const sha256Hex: Sha256Hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");

/** The verdict on one export's text; `expect` is an entry it must hold (`X-Audit-Head`). */
export function verifyAuditExport(jsonl: string, expect?: ChainHead): ChainVerdict {
  return verifyAuditChain(jsonl, sha256Hex, expect);
}

/** The verdict as the command prints it: one `file:line: seq N: problem` per problem, or a one-line summary. */
export function describeVerdict(file: string, verdict: ChainVerdict): string {
  if (verdict.ok)
    return `${file}: ${verdict.entries} entries, the chain verifies (head ${verdict.entries}:${verdict.lastHash}, for --expect)`;
  return verdict.problems
    .map(({ line, seq, problem }) => `${file}:${line}:${seq === undefined ? "" : ` seq ${seq}:`} ${problem}`)
    .join("\n");
}
