/**
 * @module
 * What `edgeflow audit verify` checks, apart from reading the file: a JSONL export of a tenant's
 * audit log (`GET /admin/tenants/:id/audit`) against its hash chain (engine/audit/audit-chain.ts),
 * with `node:crypto`'s SHA-256. Imports nothing that needs a file system, so tests in workerd run it
 * on an export as it came over HTTP.
 */
import { createHash } from "node:crypto";
import { type ChainVerdict, verifyAuditChain } from "../../engine/audit/audit-chain.ts";

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The verdict on one export's text. */
export function verifyAuditExport(jsonl: string): ChainVerdict {
  return verifyAuditChain(jsonl, sha256Hex);
}

/** The verdict as the command prints it: one `file:line: seq N: problem` per problem, or a one-line summary. */
export function describeVerdict(file: string, verdict: ChainVerdict): string {
  if (verdict.ok)
    return `${file}: ${verdict.entries} entries, the chain verifies (last hash ${verdict.lastHash})`;
  return verdict.problems
    .map(({ line, seq, problem }) => `${file}:${line}:${seq === undefined ? "" : ` seq ${seq}:`} ${problem}`)
    .join("\n");
}
