/**
 * @module
 * Turns an offset in a text into a 1-based line and column, the form `EngineError` reports.
 * Lines end at `\n`, `\r\n`, `\r`, U+2028 and U+2029, as in JavaScript. It must stay a pure
 * function of its arguments.
 */

export interface LineColumn {
  line: number;
  column: number;
}

export function lineColumnAt(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const char = text[i];
    if (char === "\r" && text[i + 1] === "\n") continue;
    if (char === "\n" || char === "\r" || char === "\u2028" || char === "\u2029") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
