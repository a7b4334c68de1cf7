/**
 * @module
 * `edgeflow audit verify` on a file: reads it as a stream and hands the verifier one line at a
 * time, so an export of any size is never one string in memory. Lines end at `\n` only (a `\r`
 * stays in its line and fails the byte check), as the export writes them.
 */
import { createReadStream } from "node:fs";
import { type ChainHead, type ChainVerdict, ChainVerifier } from "../../engine/audit/chain-verifier.ts";
import { sha256Hex } from "./verify-export.ts";

export async function verifyAuditFile(path: string, expect?: ChainHead): Promise<ChainVerdict> {
  const verifier = new ChainVerifier(sha256Hex, expect);
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  for await (const chunk of createReadStream(path)) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    let start = 0;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n", start)) {
      verifier.add(pending.slice(start, end));
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== "") verifier.add(pending);
  return verifier.verdict();
}
