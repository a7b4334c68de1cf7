/**
 * @module
 * The audit hash chain, pure: each entry's `hash` is the SHA-256 of the canonical JSON of the entry
 * without `hash` (so `prev_hash` is covered), and each `prev_hash` is the previous entry's `hash`
 * (`GENESIS_HASH` for entry 1). `verifyAuditChain` walks an exported JSONL text and names the first
 * line that breaks the chain. The digest function comes in as an argument (the Durable Object and
 * the CLI pass `node:crypto`'s synchronous one), so the chain can be extended inside a storage
 * transaction.
 */
import { type AuditEntry, auditEntrySchema, GENESIS_HASH } from "./audit-entry.ts";
import { canonicalJson } from "./canonical-json.ts";

/** SHA-256 of UTF-8 text, as 64 lowercase hex digits. */
export type Sha256Hex = (text: string) => string;

/** The hash an entry must carry: over everything but `hash` itself. */
export function entryHash(entry: Omit<AuditEntry, "hash">, sha256: Sha256Hex): string {
  const { hash: _ignored, ...hashed } = entry as AuditEntry;
  return sha256(canonicalJson(hashed));
}

/** The digest of a changed value as an entry records it: `sha256:<hex>` of its canonical JSON (or the text itself). */
export function changeDigest(value: unknown, sha256: Sha256Hex): `sha256:${string}` {
  return `sha256:${sha256(typeof value === "string" ? value : canonicalJson(value))}`;
}

/** Links a new entry to the chain: sets `prev_hash` and `hash`. */
export function sealEntry(
  entry: Omit<AuditEntry, "hash" | "prev_hash">,
  prevHash: string,
  sha256: Sha256Hex,
): AuditEntry {
  const linked = { ...entry, prev_hash: prevHash };
  return { ...linked, hash: entryHash(linked, sha256) };
}

export type ChainVerdict =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; line: number; seq?: number; problem: string };

/**
 * Checks a JSONL export (one entry per line, oldest first; blank lines are not allowed except one
 * final newline). The first entry must be seq 1 after `GENESIS_HASH`, every next one seq + 1 after
 * its predecessor's hash, and every hash must match its entry.
 */
export function verifyAuditChain(jsonl: string, sha256: Sha256Hex): ChainVerdict {
  const lines = jsonl.endsWith("\n") ? jsonl.slice(0, -1).split("\n") : jsonl.split("\n");
  if (jsonl === "") return { ok: true, entries: 0, lastHash: GENESIS_HASH };
  let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    const checked = checkLine(text, previous, sha256);
    if (typeof checked === "string") return { ok: false, line, problem: checked };
    if ("problem" in checked) return { ok: false, line, seq: checked.seq, problem: checked.problem };
    previous = checked;
  }
  return { ok: true, entries: lines.length, lastHash: previous.hash };
}

function checkLine(
  text: string,
  previous: { seq: number; hash: string },
  sha256: Sha256Hex,
): string | { seq: number; problem: string } | { seq: number; hash: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "not a JSON object";
  }
  const result = auditEntrySchema.safeParse(parsed);
  if (!result.success) {
    const [issue] = result.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
    return `not an audit entry${where}: ${issue?.message ?? "invalid"}`;
  }
  const entry = result.data;
  if (entry.seq !== previous.seq + 1)
    return {
      seq: entry.seq,
      problem: `seq ${entry.seq} follows seq ${previous.seq}; expected ${previous.seq + 1}`,
    };
  if (entry.prev_hash !== previous.hash)
    return { seq: entry.seq, problem: "prev_hash is not the hash of the entry before it" };
  if (entryHash(entry, sha256) !== entry.hash)
    return { seq: entry.seq, problem: "hash does not match the entry (the entry was changed)" };
  return { seq: entry.seq, hash: entry.hash };
}
