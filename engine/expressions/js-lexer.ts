/**
 * @module
 * A small JavaScript tokenizer: names, punctuators, string/template/regex literals and numbers,
 * with comments and whitespace skipped. The source analysis uses it to find the names an
 * expression uses and to check brackets; the template scanner uses it to find the `}}` that
 * closes a `{{`. It must not try to parse or judge JavaScript beyond tokens: QuickJS is the
 * parser. Whether `/` divides or starts a regular expression depends on the grammar; the lexer
 * decides it as the grammar does where the previous token settles it (after a keyword that
 * expects an expression, after the `)` of `if (...)`, `while (...)`, `for (...)` and `with (...)`,
 * which it tracks per bracket; after a prefix `++`/`--`) and reads "division" after an
 * identifier, a literal, another `)` or `]`, or a postfix `++`/`--`. After `}`, `of` and `await`
 * (and an increment that follows one of them) either reading can be right (a block or an object
 * literal, a contextual keyword): there it reads "division", which shows every name a
 * regular expression could hold, and it first proves the choice cannot hide code: if the
 * regular-expression reading also scans, the division reading of the same characters must be
 * only names, numbers and balanced punctuators ending exactly where the regular expression ends,
 * with no `/` right after. Otherwise it refuses the text ("ambiguous `/`"). So every name QuickJS
 * reads as code is a name token here, whichever way QuickJS decides. It rejects the HTML-like
 * comments `<!--` and `-->` that QuickJS honours.
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

/** Keywords after which a `/` starts a regular expression (`yield` is a keyword in strict code). */
const REGEX_AFTER_KEYWORD = new Set([
  "yield",
  "extends",
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
/** After these a `/` divides (the `)` of a control statement's head excepted, see `#regexAllowed`). */
const DIVISION_AFTER_PUNCT = new Set([")", "]"]);
/** After `}` a `/` may do either: a block ends (regex) or an object literal does (division). */
const AMBIGUOUS_AFTER_PUNCT = new Set(["}"]);
/** Contextual keywords: `for (x of /re/)` or `await /re/`, but also variables named `of` or `await`. */
const AMBIGUOUS_AFTER_NAME = new Set(["of", "await"]);
/** Statements whose head `( ... )` is followed by a statement, which may start with a regular expression. */
const CONTROL_HEADS = new Set(["if", "while", "for", "with"]);
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
  /** For each open `(`: whether it opened the head of `if`, `while`, `for` or `with`. */
  readonly #parens: boolean[] = [];
  /** The last `)` closed a control statement's head. */
  #closedControlHead = false;
  /** A line terminator (or a comment holding one) came before the current token. */
  #newlineBefore = false;
  /** What the last `++` or `--` was: prefix (a regex may follow), postfix (division), or unknown. */
  #lastIncrement: "prefix" | "postfix" | "unknown" = "unknown";

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
    const triviaStart = this.#pos;
    this.#skipTrivia();
    const text = this.#text;
    const start = this.#pos;
    this.#newlineBefore = /[\n\r\u2028\u2029]/.test(text.slice(triviaStart, start));
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
    else {
      if (char === "/" && this.#regexMayFollow()) this.#assertDivisionHidesNothing(start);
      token = this.#punct();
    }
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

  /** A `/` here can only start a regular expression. */
  #regexAllowed(): boolean {
    const prev = this.#prev;
    if (prev === undefined) return true;
    switch (prev.kind) {
      case "punct":
        if (prev.value === ")") return this.#closedControlHead;
        if (prev.value === "++" || prev.value === "--") return this.#lastIncrement === "prefix";
        return !DIVISION_AFTER_PUNCT.has(prev.value) && !AMBIGUOUS_AFTER_PUNCT.has(prev.value);
      case "name":
        return !this.#prevIsPropertyName() && REGEX_AFTER_KEYWORD.has(prev.value);
      case "template":
        return prev.value.endsWith("${");
      default:
        return false;
    }
  }

  /** A `/` here may start a regular expression, though the lexer reads it as division. */
  #regexMayFollow(): boolean {
    const prev = this.#prev;
    if (prev?.kind === "punct" && (prev.value === "++" || prev.value === "--")) {
      return this.#lastIncrement === "unknown";
    }
    if (prev?.kind === "punct") return AMBIGUOUS_AFTER_PUNCT.has(prev.value);
    if (prev?.kind === "name") return !this.#prevIsPropertyName() && AMBIGUOUS_AFTER_NAME.has(prev.value);
    return false;
  }

  /** The previous name follows `.`, `?.` or `#` (`a.return`, `this.#typeof`): a property, not a keyword. */
  #prevIsPropertyName(): boolean {
    const before = this.#prevPrev;
    return before?.kind === "punct" && (isMemberAccess(before.value) || before.value === "#");
  }

  /**
   * The `/` at `start` is read as division; were it a regular expression instead, QuickJS would
   * see no code in it. That is only safe if reading the same characters as code finds nothing
   * that could swallow or hide text (a string, template, comment or regular expression), keeps
   * the brackets it opens, ends exactly where the regular expression would, and no `/` follows
   * (where the two readings would part again).
   */
  #assertDivisionHidesNothing(start: number): void {
    const end = scanRegexEnd(this.#text, start);
    if (end === undefined) return; // not a regular expression either: QuickJS can only divide
    const ambiguous = new JsLexError(
      "ambiguous '/': it could divide or start a regular expression here; add parentheses or a semicolon",
      start,
    );
    const division = new JsLexer(this.#text, start);
    division.#prev = { kind: "number", value: "0", start, end: start };
    let depth = 0;
    try {
      while (division.#pos < end) {
        const token = division.next();
        if (token === undefined || token.end > end) throw ambiguous;
        if (token.kind !== "name" && token.kind !== "number" && token.kind !== "punct") throw ambiguous;
        if (token.value === "(" || token.value === "[" || token.value === "{") depth++;
        else if (token.value === ")" || token.value === "]" || token.value === "}") depth--;
        if (depth < 0) throw ambiguous;
      }
      if (depth !== 0) throw ambiguous;
      division.#skipTrivia();
    } catch (error) {
      if (error instanceof JsLexError) throw ambiguous;
      throw error;
    }
    if (this.#text[division.#pos] === "/") throw ambiguous;
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

  /**
   * A `++`/`--` is prefix where an operand is expected or after a line break (postfix takes no
   * line break before it), postfix right after the end of an operand, unknown after `}`, `of`,
   * `await` or another increment of unknown kind.
   */
  #incrementKind(): "prefix" | "postfix" | "unknown" {
    if (this.#prev === undefined || this.#newlineBefore || this.#regexAllowed()) return "prefix";
    return this.#regexMayFollow() ? "unknown" : "postfix";
  }

  /** `if (`, `while (`, `for (`, `for await (`, `with (` (not `x.if(`, a method call). */
  #opensControlHead(): boolean {
    const prev = this.#prev;
    if (prev?.kind !== "name" || this.#prevIsPropertyName()) return false;
    if (CONTROL_HEADS.has(prev.value)) return true;
    return prev.value === "await" && this.#prevPrev?.kind === "name" && this.#prevPrev.value === "for";
  }

  #regex(): Token {
    const start = this.#pos;
    const end = scanRegexEnd(this.#text, start);
    if (end === undefined) throw new JsLexError("unterminated regular expression", start);
    this.#pos = end;
    return { kind: "regex", value: this.#text.slice(start, end), start, end };
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
    else if (value === "(") this.#parens.push(this.#opensControlHead());
    else if (value === "++" || value === "--") this.#lastIncrement = this.#incrementKind();
    else if (value === ")") this.#closedControlHead = this.#parens.pop() === true;
    this.#pos = start + value.length;
    return { kind: "punct", value, start, end: this.#pos };
  }
}

/** The end of the regular expression literal (flags included) that starts at `start`, if it closes on its line. */
function scanRegexEnd(text: string, start: number): number | undefined {
  let pos = start + 1;
  let inClass = false;
  while (pos < text.length) {
    const char = text[pos];
    if (isLineTerminator(char)) return undefined;
    if (char === "\\") {
      pos += 2;
      continue;
    }
    if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) {
      pos++;
      while (pos < text.length && NAME_PART.test(text[pos] as string)) pos++;
      return pos;
    }
    pos++;
  }
  return undefined;
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
