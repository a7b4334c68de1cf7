/**
 * @module
 * From an offset inside a string value to the offset of the same character in the YAML text,
 * for the scalar styles where the two line up provably: a one-line plain or quoted scalar whose
 * text up to that point has no escape, and a literal block (`|`) whose line is found verbatim
 * behind its indentation. Anything else (folded blocks, escapes, values spread over lines)
 * gives `undefined`, and the caller points at the value itself. Pure.
 */
import { isScalar, type LineCounter } from "yaml";

/** The offset in `text` of character `offset` of `node`'s string value, when it can be proven. */
export function offsetInSource(
  text: string,
  lineCounter: LineCounter,
  node: unknown,
  offset: number,
): number | undefined {
  if (!isScalar(node) || typeof node.value !== "string" || node.range === undefined || node.range === null) {
    return undefined;
  }
  const value = node.value;
  const [start, end] = node.range;
  switch (node.type) {
    case "PLAIN":
    case "QUOTE_SINGLE":
    case "QUOTE_DOUBLE": {
      const raw = text.slice(start, end);
      if (/[\r\n]/.test(raw)) return undefined;
      const open = node.type === "PLAIN" ? 0 : 1;
      return raw.slice(open, open + offset) === value.slice(0, offset) ? start + open + offset : undefined;
    }
    case "BLOCK_LITERAL":
      return inLiteralBlock(text, lineCounter, start, value, offset);
    default:
      return undefined;
  }
}

/** A literal block's value line `n` is the `n`-th line after its header, behind the indentation. */
function inLiteralBlock(
  text: string,
  lineCounter: LineCounter,
  headerOffset: number,
  value: string,
  offset: number,
): number | undefined {
  // YAML has normalised the value's line breaks to `\n`
  const before = value.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  const valueLine = value.split("\n")[line - 1];
  const sourceIndex = lineCounter.linePos(headerOffset).line + line - 1; // 0-based index of the line
  const lineStart = lineCounter.lineStarts[sourceIndex];
  if (valueLine === undefined || lineStart === undefined) return undefined;
  const lineEnd = lineCounter.lineStarts[sourceIndex + 1] ?? text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r?\n$/, "");
  const indent = sourceLine.length - valueLine.length;
  if (indent < 0 || sourceLine.slice(indent) !== valueLine || sourceLine.slice(0, indent).trim() !== "") {
    return undefined;
  }
  return lineStart + indent + column - 1;
}
