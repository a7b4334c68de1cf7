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

/**
 * The one line an entry is exported as (without its newline): fields in a fixed order, no
 * whitespace. The export writes it and verify requires each line to be exactly it, so what a
 * reader sees is the text that was hashed (no duplicate keys, CRLF, padding or `2.0e0`).
 */
export function auditLine(entry: AuditEntry): string {
  const { seq, at, actor, action, object, request_id, changes, prev_hash, hash } = entry;
  const line = { seq, at, actor, action, object: { type: object.type, id: object.id }, request_id, changes };
  return JSON.stringify({ ...line, prev_hash, hash });
}

/** One thing wrong with an export, at a 1-based line. */
export interface ChainProblem {
  line: number;
  seq?: number;
  problem: string;
}

/** `ok: false` carries the first problem at the top and every problem in `problems`. */
export type ChainVerdict =
  | { ok: true; entries: number; lastHash: string }
  | ({ ok: false; problems: ChainProblem[] } & ChainProblem);

/** Where the chain stands after a line: `hash` is unknown after a line that is not JSON. */
interface ChainPosition {
  seq: number;
  hash: string | undefined;
}

/**
 * Checks a JSONL export (one entry per line, oldest first; blank lines are not allowed except one
 * final newline). The first entry must be seq 1 after `GENESIS_HASH`, every next one seq + 1 after
 * its predecessor's hash, every hash must match its entry and every line must be exactly
 * `auditLine` of its entry. Reports every problem: a line that fails only the shape check is
 * still linked into the chain, so the entries after it are checked too.
 */
export function verifyAuditChain(jsonl: string, sha256: Sha256Hex): ChainVerdict {
  if (jsonl === "") return { ok: true, entries: 0, lastHash: GENESIS_HASH };
  const lines = jsonl.endsWith("\n") ? jsonl.slice(0, -1).split("\n") : jsonl.split("\n");
  const problems: ChainProblem[] = [];
  let previous: ChainPosition = { seq: 0, hash: GENESIS_HASH };
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    const checked = checkLine(text, previous, sha256);
    for (const problem of checked.problems) problems.push({ line, ...checked.seqOf, problem });
    previous = checked.position;
  }
  const [first] = problems;
  if (first !== undefined) return { ok: false, ...first, problems };
  return { ok: true, entries: lines.length, lastHash: previous.hash ?? GENESIS_HASH };
}

function checkLine(
  text: string,
  previous: ChainPosition,
  sha256: Sha256Hex,
): { problems: string[]; seqOf: { seq?: number }; position: ChainPosition } {
  const unknownNext: ChainPosition = { seq: previous.seq + 1, hash: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problems: ["not a JSON object"], seqOf: {}, position: unknownNext };
  }
  const problems: string[] = [];
  const result = auditEntrySchema.safeParse(parsed);
  if (!result.success) {
    const [issue] = result.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
    problems.push(`not an audit entry${where}: ${issue?.message ?? "invalid"}`);
  }
  const entry = linkFields(parsed);
  if (entry === undefined) return { problems, seqOf: {}, position: unknownNext };
  if (entry.seq !== previous.seq + 1)
    problems.push(`seq ${entry.seq} follows seq ${previous.seq}; expected ${previous.seq + 1}`);
  if (previous.hash !== undefined && entry.prev_hash !== previous.hash)
    problems.push("prev_hash is not the hash of the entry before it");
  if (entryHash(entry as AuditEntry, sha256) !== entry.hash)
    problems.push("hash does not match the entry (the entry was changed)");
  else if (result.success && auditLine(result.data) !== text)
    problems.push(
      "the line is not the entry as exported (extra bytes, duplicate keys or another number form)",
    );
  return { problems, seqOf: { seq: entry.seq }, position: { seq: entry.seq, hash: entry.hash } };
}

/** The fields that link an entry into the chain, when a parsed line has them (whatever else it lacks). */
function linkFields(
  parsed: unknown,
): (Record<string, unknown> & { seq: number; prev_hash: string; hash: string }) | undefined {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const { seq, prev_hash, hash } = record;
  if (!Number.isSafeInteger(seq) || typeof prev_hash !== "string" || typeof hash !== "string")
    return undefined;
  return { ...record, seq: seq as number, prev_hash, hash };
}
