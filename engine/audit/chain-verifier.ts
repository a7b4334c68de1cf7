/**
 * @module
 * Checks an audit-log export (JSONL, oldest first) against its hash chain, one line at a time, so
 * a file of any size is read in pieces: the first entry must be seq 1 after `GENESIS_HASH`, every
 * next one seq + 1 after its predecessor's hash, every hash must match its entry and every line
 * must be exactly `auditLine` of its entry (the bytes that were hashed). Reports every problem: a
 * line that fails only the shape check is still linked into the chain, so the entries after it
 * are checked too. An expected head (`<seq>:<hash>`, the export's `X-Audit-Head`) must be in the
 * file, which catches an export cut short or rewritten from that entry back.
 */
import { auditLine, entryHash, type Sha256Hex } from "./audit-chain.ts";
import { type AuditEntry, auditEntrySchema, GENESIS_HASH } from "./audit-entry.ts";

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

/** An entry the export must hold: its `seq` and `hash`. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Where the chain stands after a line: `hash` is unknown after a line that is not JSON. */
interface ChainPosition {
  seq: number;
  hash: string | undefined;
}

/** Parses `<seq>:<hash>` as `--expect` and `X-Audit-Head` write it; undefined when it is not one. */
export function parseChainHead(text: string): ChainHead | undefined {
  const match = /^(0|[1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(text);
  return match === null ? undefined : { seq: Number(match[1]), hash: match[2]! };
}

/** Feed it the lines of an export in order (without their `\n`), then ask for the verdict. */
export class ChainVerifier {
  readonly #sha256: Sha256Hex;
  readonly #expect: ChainHead | undefined;
  readonly #problems: ChainProblem[] = [];
  #previous: ChainPosition = { seq: 0, hash: GENESIS_HASH };
  #lines = 0;
  #expectSeen = false;

  constructor(sha256: Sha256Hex, expect?: ChainHead) {
    this.#sha256 = sha256;
    this.#expect = expect;
  }

  add(text: string): void {
    const line = ++this.#lines;
    const checked = checkLine(text, this.#previous, this.#sha256);
    for (const problem of checked.problems) this.#problems.push({ line, ...checked.seqOf, problem });
    this.#previous = checked.position;
    const expect = this.#expect;
    if (expect !== undefined && checked.seqOf.seq === expect.seq) {
      this.#expectSeen = true;
      if (checked.position.hash !== expect.hash)
        this.#problems.push({
          line,
          seq: expect.seq,
          problem: "hash is not the expected head's hash (--expect)",
        });
    }
  }

  verdict(): ChainVerdict {
    const expect = this.#expect;
    if (expect !== undefined && expect.seq > 0 && !this.#expectSeen) {
      this.#problems.push({
        line: this.#lines + 1,
        problem: `the export ends at seq ${this.#previous.seq} without the expected head seq ${expect.seq} (--expect)`,
      });
    }
    const [first] = this.#problems;
    if (first !== undefined) return { ok: false, ...first, problems: [...this.#problems] };
    return { ok: true, entries: this.#lines, lastHash: this.#previous.hash ?? GENESIS_HASH };
  }
}

/**
 * Checks a whole JSONL text: lines split on `\n`, one final newline allowed (any other blank line
 * is a problem); the empty text is a log of no entries.
 */
export function verifyAuditChain(jsonl: string, sha256: Sha256Hex, expect?: ChainHead): ChainVerdict {
  const verifier = new ChainVerifier(sha256, expect);
  if (jsonl !== "") {
    const lines = jsonl.endsWith("\n") ? jsonl.slice(0, -1).split("\n") : jsonl.split("\n");
    for (const text of lines) verifier.add(text);
  }
  return verifier.verdict();
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
