/**
 * @module
 * A small JavaScript tokenizer: names, punctuators, string/template/regex literals and numbers,
 * with comments and whitespace skipped. The source analysis uses it to find the names an
 * expression uses and to check brackets; the template scanner uses it to find the `}}` that
 * closes a `{{`. It must not try to parse or judge JavaScript beyond tokens: QuickJS is the
 * parser. Where `/` is ambiguous it prefers "division", so it never hides code that QuickJS
 * would see (a wrong guess can only make a valid source fail, never let a bad one through), and
 * it rejects the HTML-like comments `<!--` and `-->` that QuickJS honours.
 */

export type TokenKind = "name" | "punct" | "string" | "template" | "regex" | "number";

export interface Token {
  readonly kind: TokenKind;
  /** Names: the identifier with escapes decoded. Others: the raw text. */
  readonly value: string;
  /** Offset of the first character in the scanned text. */
  readonly start: number;
  /** Offset just after the last character. */
  readonly end: number;
}

/** An unterminated literal or comment, or an invalid escape in a name. */
export class JsLexError extends Error {
  override readonly name = "JsLexError";
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** Keywords after which a `/` starts a regular expression. */
const REGEX_AFTER_KEYWORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
]);
const DIVISION_AFTER_PUNCT = new Set([")", "]", "}", "++", "--"]);
const TWO_CHAR_PUNCT = new Set(["++", "--", "=>", "?."]);

const NAME_START = /[\p{ID_Start}$_]/u;
const NAME_PART = /[\p{ID_Continue}$\u200c\u200d]/u;
const WHITESPACE = /[\t\v\f \u00a0\ufeff\p{Zs}]/u;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;

export function isLineTerminator(char: string | undefined): boolean {
  return char === "\n" || char === "\r" || char === "\u2028" || char === "\u2029";
}

export class JsLexer {
  readonly #text: string;
  #pos: number;
  #prev: Token | undefined;
  #prevPrev: Token | undefined;
  /** Open `{` and `${` so that a `}` can tell whether it resumes a template literal. */
  readonly #curlies: Array<"{" | "${"> = [];

  constructor(text: string, start = 0) {
    this.#text = text;
    this.#pos = start;
  }

  /** The offset just after the last token returned (or the start). */
  get offset(): number {
    return this.#pos;
  }

  /** The next token, or `undefined` at the end of the text. Throws `JsLexError`. */
  next(): Token | undefined {
    this.#skipTrivia();
    const text = this.#text;
    const start = this.#pos;
    if (start >= text.length) return undefined;
    const char = text[start] as string;
    let token: Token;
    if (char === '"' || char === "'") token = this.#string(char);
    else if (char === "`") token = this.#template(start + 1, start);
    else if (char === "}" && this.#curlies.at(-1) === "${") {
      this.#curlies.pop();
      token = this.#template(start + 1, start);
    } else if (char === "\\" || NAME_START.test(char) || isHighSurrogateNameStart(text, start)) {
      token = this.#name();
    } else if (isDigit(char) || (char === "." && isDigit(text[start + 1]))) token = this.#number();
    else if (char === "/" && this.#regexAllowed()) token = this.#regex();
    else token = this.#punct();
    this.#prevPrev = this.#prev;
    this.#prev = token;
    return token;
  }

  #skipTrivia(): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const char = text[this.#pos] as string;
      if (WHITESPACE.test(char) || isLineTerminator(char)) {
        this.#pos++;
      } else if (char === "/" && text[this.#pos + 1] === "/") {
        this.#pos += 2;
        while (this.#pos < text.length && !isLineTerminator(text[this.#pos])) this.#pos++;
      } else if (char === "/" && text[this.#pos + 1] === "*") {
        const close = text.indexOf("*/", this.#pos + 2);
        if (close < 0) throw new JsLexError("unterminated comment", this.#pos);
        this.#pos = close + 2;
      } else {
        return;
      }
    }
  }

  #regexAllowed(): boolean {
    const prev = this.#prev;
    if (prev === undefined) return true;
    switch (prev.kind) {
      case "punct":
        return !DIVISION_AFTER_PUNCT.has(prev.value);
      case "name": {
        const afterDot = this.#prevPrev?.kind === "punct" && isMemberAccess(this.#prevPrev.value);
        return !afterDot && REGEX_AFTER_KEYWORD.has(prev.value);
      }
      case "template":
        return prev.value.endsWith("${");
      default:
        return false;
    }
  }

  #string(quote: string): Token {
    const text = this.#text;
    const start = this.#pos;
    let pos = start + 1;
    while (pos < text.length) {
      const char = text[pos];
      if (char === quote) {
        this.#pos = pos + 1;
        return { kind: "string", value: text.slice(start, pos + 1), start, end: pos + 1 };
      }
      if (char === "\\") pos += text[pos + 1] === "\r" && text[pos + 2] === "\n" ? 3 : 2;
      else if (char === "\n" || char === "\r") break;
      else pos++;
    }
    throw new JsLexError("unterminated string literal", start);
  }

  /** Scans template characters from `from` up to the closing backtick or a `${`. */
  #template(from: number, start: number): Token {
    const text = this.#text;
    let pos = from;
    while (pos < text.length) {
      const char = text[pos];
      if (char === "\\") {
        pos += 2;
      } else if (char === "`") {
        this.#pos = pos + 1;
        return { kind: "template", value: text.slice(start, pos + 1), start, end: pos + 1 };
      } else if (char === "$" && text[pos + 1] === "{") {
        this.#curlies.push("${");
        this.#pos = pos + 2;
        return { kind: "template", value: text.slice(start, pos + 2), start, end: pos + 2 };
      } else {
        pos++;
      }
    }
    throw new JsLexError("unterminated template literal", start);
  }

  #name(): Token {
    const text = this.#text;
    const start = this.#pos;
    let pos = start;
    let value = "";
    while (pos < text.length) {
      const char = text[pos] as string;
      if (char === "\\") {
        const decoded = decodeUnicodeEscape(text, pos);
        if (decoded === undefined) throw new JsLexError("invalid escape in a name", pos);
        value += decoded.char;
        pos = decoded.end;
        continue;
      }
      const codePoint = text.codePointAt(pos) as number;
      const full = String.fromCodePoint(codePoint);
      if (!(pos === start ? NAME_START.test(full) : NAME_PART.test(full))) break;
      value += full;
      pos += full.length;
    }
    this.#pos = pos;
    return { kind: "name", value, start, end: pos };
  }

  #number(): Token {
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(this.#text);
    const start = this.#pos;
    const end = match === null ? start + 1 : start + match[0].length;
    this.#pos = end;
    return { kind: "number", value: this.#text.slice(start, end), start, end };
  }

  #regex(): Token {
    const text = this.#text;
    const start = this.#pos;
    let pos = start + 1;
    let inClass = false;
    while (pos < text.length) {
      const char = text[pos];
      if (isLineTerminator(char)) break;
      if (char === "\\") {
        pos += 2;
        continue;
      }
      if (char === "[") inClass = true;
      else if (char === "]") inClass = false;
      else if (char === "/" && !inClass) {
        pos++;
        while (pos < text.length && NAME_PART.test(text[pos] as string)) pos++;
        this.#pos = pos;
        return { kind: "regex", value: text.slice(start, pos), start, end: pos };
      }
      pos++;
    }
    throw new JsLexError("unterminated regular expression", start);
  }

  #punct(): Token {
    const text = this.#text;
    const start = this.#pos;
    // Annex B lets `<!--` and `-->` start a comment; refuse them rather than guess where QuickJS would.
    if (text.startsWith("<!--", start) || text.startsWith("-->", start)) {
      throw new JsLexError(
        `'${text.startsWith("<", start) ? "<!--" : "-->"}' (an HTML-like comment) is not allowed`,
        start,
      );
    }
    const two = text.slice(start, start + 2);
    const isTwo = TWO_CHAR_PUNCT.has(two) && !(two === "?." && isDigit(text[start + 2]));
    const isSpread = text.startsWith("...", start);
    const value = isSpread ? "..." : isTwo ? two : (text[start] as string);
    if (value === "{") this.#curlies.push("{");
    else if (value === "}") this.#curlies.pop();
    this.#pos = start + value.length;
    return { kind: "punct", value, start, end: this.#pos };
  }
}

export function isMemberAccess(punct: string): boolean {
  return punct === "." || punct === "?.";
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isHighSurrogateNameStart(text: string, pos: number): boolean {
  const codePoint = text.codePointAt(pos);
  return codePoint !== undefined && codePoint > 0xffff && NAME_START.test(String.fromCodePoint(codePoint));
}

/** Decodes `\uXXXX` or `\u{X...}` at `pos`; `undefined` when it is not a valid escape. */
function decodeUnicodeEscape(text: string, pos: number): { char: string; end: number } | undefined {
  if (text[pos + 1] !== "u") return undefined;
  if (text[pos + 2] === "{") {
    const close = text.indexOf("}", pos + 3);
    const hex = close < 0 ? "" : text.slice(pos + 3, close);
    if (!/^[\da-fA-F]{1,6}$/.test(hex)) return undefined;
    const codePoint = Number.parseInt(hex, 16);
    if (codePoint > 0x10ffff) return undefined;
    return { char: String.fromCodePoint(codePoint), end: close + 1 };
  }
  const hex = text.slice(pos + 2, pos + 6);
  if (!/^[\da-fA-F]{4}$/.test(hex)) return undefined;
  return { char: String.fromCharCode(Number.parseInt(hex, 16)), end: pos + 6 };
}
