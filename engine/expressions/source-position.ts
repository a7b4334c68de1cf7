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

/**
 * `lineColumnAt` for offsets asked in increasing order, each answer scanning only the text since
 * the previous one: linear over a whole text, however many positions are asked.
 */
export class LineColumnCursor {
  #at = 0;
  #line = 1;
  #lineStart = 0;

  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The line and column of `offset`; an offset before the previous one starts again from the top. */
  at(offset: number): LineColumn {
    const end = Math.min(Math.max(offset, 0), this.#text.length);
    if (end < this.#at) {
      this.#at = 0;
      this.#line = 1;
      this.#lineStart = 0;
    }
    const text = this.#text;
    for (let i = this.#at; i < end; i++) {
      const char = text[i];
      if (char === "\r" && text[i + 1] === "\n") continue;
      if (char === "\n" || char === "\r" || char === "\u2028" || char === "\u2029") {
        this.#line++;
        this.#lineStart = i + 1;
      }
    }
    this.#at = end;
    return { line: this.#line, column: end - this.#lineStart + 1 };
  }
}
