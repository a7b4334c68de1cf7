/**
 * @module
 * From an offset inside a string value to the offset of the same character in the YAML text,
 * for the scalar styles where the two line up provably: a one-line plain or quoted scalar whose
 * text up to that point has no escape, and a literal block (`|`) whose line is found verbatim
 * behind its indentation. Anything else (folded blocks, escapes, values spread over lines)
 * gives `undefined`, and the caller points at the value itself. What a scalar allows is worked
 * out once per scalar (`ScalarPlacer`), so placing many offsets in one long string stays linear.
 * Pure.
 */
import { isScalar, type LineCounter, type Scalar } from "yaml";

/** What one scalar allows: a prefix that lines up, or a literal block's line starts. */
type ScalarLayout =
  | { kind: "line"; start: number; agreeing: number }
  | {
      kind: "literal";
      headerLine: number;
      valueLineStarts: number[];
      lineIndent: Map<number, number | undefined>;
    }
  | { kind: "none" };

/** Places offsets of the string values of one YAML text, remembering each scalar's layout. */
export class ScalarPlacer {
  readonly #text: string;
  readonly #lineCounter: LineCounter;
  readonly #layouts = new WeakMap<object, ScalarLayout>();
  /** characters read to learn the layouts (tests read it to prove the bound) */
  scanned = 0;

  constructor(text: string, lineCounter: LineCounter) {
    this.#text = text;
    this.#lineCounter = lineCounter;
  }

  /** The offset in the text of character `offset` of `node`'s string value, when it can be proven. */
  offsetInSource(node: unknown, offset: number): number | undefined {
    if (
      !isScalar(node) ||
      typeof node.value !== "string" ||
      node.range === undefined ||
      node.range === null
    ) {
      return undefined;
    }
    let layout = this.#layouts.get(node);
    if (layout === undefined) {
      layout = this.#layoutOf(node as Scalar<string>);
      this.#layouts.set(node, layout);
    }
    switch (layout.kind) {
      case "line":
        return offset <= layout.agreeing ? layout.start + offset : undefined;
      case "literal":
        return this.#inLiteralBlock(layout, node.value, offset);
      default:
        return undefined;
    }
  }

  #layoutOf(node: Scalar<string>): ScalarLayout {
    const value = node.value;
    const [start, end] = node.range!;
    switch (node.type) {
      case "PLAIN":
      case "QUOTE_SINGLE":
      case "QUOTE_DOUBLE": {
        const raw = this.#text.slice(start, end);
        this.scanned += raw.length;
        if (/[\r\n]/.test(raw)) return { kind: "none" };
        const open = node.type === "PLAIN" ? 0 : 1;
        // the longest prefix of the value written verbatim: offsets within it are provable
        let agreeing = 0;
        while (agreeing < value.length && raw[open + agreeing] === value[agreeing]) agreeing++;
        return { kind: "line", start: start + open, agreeing };
      }
      case "BLOCK_LITERAL": {
        // YAML has normalised the value's line breaks to `\n`
        const valueLineStarts = [0];
        for (let at = value.indexOf("\n"); at >= 0; at = value.indexOf("\n", at + 1))
          valueLineStarts.push(at + 1);
        this.scanned += value.length;
        return {
          kind: "literal",
          headerLine: this.#lineCounter.linePos(start).line,
          valueLineStarts,
          lineIndent: new Map(),
        };
      }
      default:
        return { kind: "none" };
    }
  }

  /** A literal block's value line `n` is the `n`-th line after its header, behind the indentation. */
  #inLiteralBlock(
    layout: Extract<ScalarLayout, { kind: "literal" }>,
    value: string,
    offset: number,
  ): number | undefined {
    const index = lastAtOrBefore(layout.valueLineStarts, offset); // 0-based value line
    const column = offset - layout.valueLineStarts[index]! + 1;
    const sourceIndex = layout.headerLine + index; // 0-based index of the line in the file
    const lineStart = this.#lineCounter.lineStarts[sourceIndex];
    if (lineStart === undefined) return undefined;
    if (!layout.lineIndent.has(index)) {
      const valueLineEnd = layout.valueLineStarts[index + 1];
      const valueLine = value.slice(
        layout.valueLineStarts[index],
        valueLineEnd === undefined ? undefined : valueLineEnd - 1,
      );
      const lineEnd = this.#lineCounter.lineStarts[sourceIndex + 1] ?? this.#text.length;
      const sourceLine = this.#text.slice(lineStart, lineEnd).replace(/\r?\n$/, "");
      this.scanned += sourceLine.length;
      const indent = sourceLine.length - valueLine.length;
      const verbatim =
        indent >= 0 && sourceLine.slice(indent) === valueLine && sourceLine.slice(0, indent).trim() === "";
      layout.lineIndent.set(index, verbatim ? indent : undefined);
    }
    const indent = layout.lineIndent.get(index);
    return indent === undefined ? undefined : lineStart + indent + column - 1;
  }
}

/** The index of the last entry of ascending `starts` that is at most `offset` (binary search). */
function lastAtOrBefore(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The offset in `text` of character `offset` of `node`'s string value, when it can be proven (one lookup). */
export function offsetInSource(
  text: string,
  lineCounter: LineCounter,
  node: unknown,
  offset: number,
): number | undefined {
  return new ScalarPlacer(text, lineCounter).offsetInSource(node, offset);
}
