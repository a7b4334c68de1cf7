/**
 * @module
 * The names one expression reads, found with the engine's own tokenizer (text inside strings,
 * comments and regular expressions does not count): scoped reads (`this.x`, `state.x`,
 * `inputs["x"]`, `loop.item`, `config.x`, `tasks.x`, ...) with the field they name, and bare
 * names. Names the expression binds itself (arrow and function parameters, `const`/`let`/`var`,
 * `catch`) anywhere in it are left out, and so are object keys (`{a: 1}`), built-ins and
 * keywords: what remains can only come from the run's bindings. Offsets are in the source.
 * Pure; a source the tokenizer cannot read gives no names (the expression check reports it).
 */
import { isForbiddenName } from "../../expressions/forbidden-names.ts";
import { isMemberAccess, JsLexError, JsLexer, type Token } from "../../expressions/js-lexer.ts";
import { MAX_EXPRESSION_LENGTH } from "../../expressions/source-analysis.ts";
import { isBindableBareName } from "../../state/bindings.ts";
import { PATH_ROOTS } from "../../state/scope-names.ts";
import type { CheckBudget } from "./check-budget.ts";

export interface ScopedRead {
  root: string;
  /** the first field after the root; `undefined` when it is computed (`this[name]`) or absent */
  field: string | undefined;
  offset: number;
}

export interface BareRead {
  name: string;
  offset: number;
}

export interface ExpressionNames {
  scoped: ScopedRead[];
  bare: BareRead[];
  /** a name whose value can change with time alone (`Date`, `Math.random`) is read */
  readsClock: boolean;
}

const ROOTS: ReadonlySet<string> = new Set(PATH_ROOTS);
/** Contextual words the tokenizer gives as names but that never read a binding. */
const CONTEXTUAL_WORDS: ReadonlySet<string> = new Set(["of", "async", "get", "set", "static", "as", "from"]);
const DECLARATIONS: ReadonlySet<string> = new Set(["const", "let", "var"]);
const STRING_KEY = /^(["'])(.*)\1$/s;

/** The names `source` reads (see the module comment). */
export function expressionNames(source: string, meter?: CheckBudget): ExpressionNames {
  // a longer one is refused by the expression check (`expression.too_long`)
  if (source.length > MAX_EXPRESSION_LENGTH) return { scoped: [], bare: [], readsClock: false };
  meter?.spend(source.length);
  const tokens = tokenize(source);
  meter?.spend(tokens.length);
  const bound = boundNames(tokens, meter);
  const names: ExpressionNames = { scoped: [], bare: [], readsClock: false };
  const openers: string[] = [];
  tokens.forEach((token, index) => {
    meter?.spend(1);
    if (token.kind === "punct" && "([{".includes(token.value)) openers.push(token.value);
    if (token.kind === "punct" && ")]}".includes(token.value)) openers.pop();
    if (token.kind !== "name") return;
    const previous = tokens[index - 1];
    if (previous?.kind === "punct" && isMemberAccess(previous.value)) return;
    if (token.value === "Date" || token.value === "Math") names.readsClock = true;
    if (ROOTS.has(token.value)) {
      names.scoped.push({ root: token.value, field: fieldAfter(tokens, index), offset: token.start });
      return;
    }
    if (bound.has(token.value) || CONTEXTUAL_WORDS.has(token.value)) return;
    if (!isBindableBareName(token.value)) return;
    if (isObjectKey(tokens, index, openers.at(-1))) return;
    names.bare.push({ name: token.value, offset: token.start });
  });
  return names;
}

function tokenize(source: string): Token[] {
  const lexer = new JsLexer(source);
  const tokens: Token[] = [];
  try {
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) tokens.push(token);
  } catch (error) {
    if (error instanceof JsLexError) return [];
    throw error;
  }
  return tokens;
}

/** `x` of `root.x`, `root?.x` or `root["x"]`. */
function fieldAfter(tokens: readonly Token[], index: number): string | undefined {
  const next = tokens[index + 1];
  const after = tokens[index + 2];
  if (next?.kind !== "punct" || after === undefined) return undefined;
  // a forbidden name is the expression check's error, not a field
  if (isMemberAccess(next.value) && after.kind === "name")
    return isForbiddenName(after.value) ? undefined : after.value;
  if (next.value === "[" && after.kind === "string" && tokens[index + 3]?.value === "]") {
    return STRING_KEY.exec(after.value)?.[2];
  }
  return undefined;
}

/** `a` in `{a: 1}` (after `{` or `,` inside braces, before `:`). */
function isObjectKey(tokens: readonly Token[], index: number, opener: string | undefined): boolean {
  const previous = tokens[index - 1]?.value;
  return opener === "{" && tokens[index + 1]?.value === ":" && (previous === "{" || previous === ",");
}

/**
 * Every name the expression binds itself, wherever it is (scoping is ignored: fewer reads, never
 * more). Linear in the tokens: each binding form marks a token range, the ranges are summed in one
 * pass, and the declarator scans jump over brackets with precomputed stops (`StopTable`).
 */
function boundNames(tokens: readonly Token[], meter?: CheckBudget): Set<string> {
  const partners = bracketPartners(tokens);
  const stops = new StopTable(tokens, partners);
  // +1 where a bound range starts, -1 where it ends: a token is bound where the running sum is positive
  const marks = new Int32Array(tokens.length + 1);
  const markRange = (from: number, to: number) => {
    if (to <= from) return;
    marks[from]! += 1;
    marks[to]! -= 1;
  };
  tokens.forEach((token, index) => {
    meter?.spend(1);
    if (token.kind === "punct" && token.value === "=>") {
      const previous = tokens[index - 1];
      if (previous?.kind === "name") markRange(index - 1, index);
      else if (previous?.value === ")") markRange(partners.get(index - 1) ?? index, index);
      return;
    }
    if (token.kind !== "name") return;
    if (DECLARATIONS.has(token.value)) {
      for (const [from, to] of declarators(tokens, index + 1, stops, meter)) markRange(from, to);
    }
    if (token.value === "function" || token.value === "catch") {
      // `function (a)`, `function name(a)`, `catch (error)`
      const open = [index + 1, index + 2].find((at) => tokens[at]?.value === "(");
      const close = open === undefined ? undefined : partners.get(open);
      if (close !== undefined) markRange(index + 1, close);
    }
  });
  const bound = new Set<string>();
  let depth = 0;
  tokens.forEach((token, index) => {
    depth += marks[index]!;
    if (depth > 0 && token.kind === "name") bound.add(token.value);
  });
  return bound;
}

/** Each bracket's partner (opener ↔ closer), in one pass; unbalanced ones have none. */
function bracketPartners(tokens: readonly Token[]): Map<number, number> {
  const partners = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, index) => {
    if (isOpener(token)) open.push(index);
    else if (isCloser(token)) {
      const opener = open.pop();
      if (opener === undefined) return;
      partners.set(opener, index);
      partners.set(index, opener);
    }
  });
  return partners;
}

/**
 * The token ranges of the names a declaration binds (`const a = 1, {b, c} = d`): each
 * declarator's pattern, up to its `=`, `,`, `;`, `of`/`in` or the bracket around it closing;
 * initializers are skipped up to the `,` that starts the next declarator. A declaration word at
 * the same bracket depth ends the declaration (the next one starts there).
 */
function declarators(
  tokens: readonly Token[],
  start: number,
  stops: StopTable,
  meter?: CheckBudget,
): [number, number][] {
  const ranges: [number, number][] = [];
  let at = start;
  while (at < tokens.length) {
    meter?.spend(1);
    const end = stops.patternEnd(at);
    ranges.push([at, end]);
    let stop = tokens[end];
    if (stop?.value === "=") {
      const next = stops.initializerEnd(end + 1);
      stop = tokens[next];
      at = next + 1;
    } else {
      at = end + 1;
    }
    if (stop?.value !== "," || stop.kind !== "punct") break;
  }
  return ranges;
}

function isOpener(token: Token): boolean {
  return token.kind === "punct" && "([{".includes(token.value);
}

function isCloser(token: Token): boolean {
  return token.kind === "punct" && ")]}".includes(token.value);
}

function isDeclarationWord(token: Token): boolean {
  return token.kind === "name" && DECLARATIONS.has(token.value);
}

function isPatternStop(token: Token): boolean {
  if (token.kind === "punct") return ["=", ",", ";"].includes(token.value);
  return (
    token.kind === "name" && (token.value === "of" || token.value === "in" || DECLARATIONS.has(token.value))
  );
}

function isInitializerStop(token: Token): boolean {
  if (token.kind === "punct") return token.value === "," || token.value === ";";
  return isDeclarationWord(token);
}

/**
 * For every token, the first token from there that ends a declarator's pattern (or its
 * initializer) outside brackets, or a bracket closing around it: computed once, right to left,
 * jumping over each bracket pair to what follows its closer. An opener without a partner
 * encloses the rest of the expression, so nothing after it stops.
 */
class StopTable {
  readonly #pattern: Int32Array;
  readonly #initializer: Int32Array;

  constructor(tokens: readonly Token[], partners: ReadonlyMap<number, number>) {
    this.#pattern = StopTable.#table(tokens, partners, isPatternStop);
    this.#initializer = StopTable.#table(tokens, partners, isInitializerStop);
  }

  patternEnd(start: number): number {
    return this.#pattern[start] ?? this.#pattern.length - 1;
  }

  initializerEnd(start: number): number {
    return this.#initializer[start] ?? this.#initializer.length - 1;
  }

  static #table(
    tokens: readonly Token[],
    partners: ReadonlyMap<number, number>,
    isStop: (token: Token) => boolean,
  ): Int32Array {
    const table = new Int32Array(tokens.length + 1);
    table[tokens.length] = tokens.length;
    for (let at = tokens.length - 1; at >= 0; at--) {
      const token = tokens[at]!;
      if (isOpener(token)) {
        const closer = partners.get(at);
        table[at] = closer === undefined ? tokens.length : table[closer + 1]!;
      } else if (isCloser(token) || isStop(token)) {
        table[at] = at;
      } else {
        table[at] = table[at + 1]!;
      }
    }
    return table;
  }
}
