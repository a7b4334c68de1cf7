/**
 * @module
 * Random edits of valid texts, for the property and hostile-input tests: each text gets one to
 * four edits (delete a slice, insert random text or one of `pieces`, cut it short, duplicate a
 * line, swap two lines), so the result is mostly valid and broken in one place or a few.
 */
import fc from "fast-check";

const edit = (pieces: readonly string[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...pieces)),
    }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("duplicate_line" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("swap_lines" as const), at: fc.nat(), other: fc.nat() }),
  );

type Edit = ReturnType<typeof edit> extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(text: string, change: Edit): string {
  const at = change.at % (text.length + 1);
  const lines = text.split("\n");
  const line = change.at % lines.length;
  switch (change.kind) {
    case "delete":
      return text.slice(0, at) + text.slice(at + change.length);
    case "insert":
      return text.slice(0, at) + change.text + text.slice(at);
    case "truncate":
      return text.slice(0, at);
    case "duplicate_line":
      lines.splice(line, 0, lines[line] ?? "");
      return lines.join("\n");
    case "swap_lines": {
      const other = change.other % lines.length;
      [lines[line], lines[other]] = [lines[other] ?? "", lines[line] ?? ""];
      return lines.join("\n");
    }
  }
}

/** One of `texts` with one to four random edits applied. */
export function mutatedText(texts: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...texts), fc.array(edit(pieces), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce(applyEdit, text));
}
