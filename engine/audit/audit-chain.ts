/**
 * @module
 * The audit hash chain, pure: each entry's `hash` is the SHA-256 of the canonical JSON of the entry
 * without `hash` (so `prev_hash` is covered), and each `prev_hash` is the previous entry's `hash`
 * (`GENESIS_HASH` for entry 1). `auditLine` is the one text an entry is exported as; the verifier
 * (chain-verifier.ts) checks an export against both. The digest function comes in as an argument (the Durable Object and
 * the CLI pass `node:crypto`'s synchronous one), so the chain can be extended inside a storage
 * transaction.
 */
import type { AuditEntry } from "./audit-entry.ts";
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
