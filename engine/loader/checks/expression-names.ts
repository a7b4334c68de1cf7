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
export function expressionNames(source: string): ExpressionNames {
  // a longer one is refused by the expression check (`expression.too_long`)
  if (source.length > MAX_EXPRESSION_LENGTH) return { scoped: [], bare: [], readsClock: false };
  const tokens = tokenize(source);
  const bound = boundNames(tokens);
  const names: ExpressionNames = { scoped: [], bare: [], readsClock: false };
  const openers: string[] = [];
  tokens.forEach((token, index) => {
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

/** Every name the expression binds itself, wherever it is (scoping is ignored: fewer reads, never more). */
function boundNames(tokens: readonly Token[]): Set<string> {
  const bound = new Set<string>();
  const partners = bracketPartners(tokens);
  const addNamesBetween = (from: number, to: number) => {
    for (let at = from; at < to; at++) {
      const token = tokens[at];
      if (token?.kind === "name") bound.add(token.value);
    }
  };
  tokens.forEach((token, index) => {
    if (token.kind === "punct" && token.value === "=>") {
      const previous = tokens[index - 1];
      if (previous?.kind === "name") bound.add(previous.value);
      else if (previous?.value === ")") addNamesBetween(partners.get(index - 1) ?? index, index);
      return;
    }
    if (token.kind !== "name") return;
    if (DECLARATIONS.has(token.value)) {
      for (const [from, to] of declarators(tokens, index + 1)) addNamesBetween(from, to);
    }
    if (token.value === "function" || token.value === "catch") {
      // `function (a)`, `function name(a)`, `catch (error)`
      const open = [index + 1, index + 2].find((at) => tokens[at]?.value === "(");
      const close = open === undefined ? undefined : partners.get(open);
      if (close !== undefined) addNamesBetween(index + 1, close);
    }
  });
  return bound;
}

/** Each bracket's partner (opener ↔ closer), in one pass; unbalanced ones have none. */
function bracketPartners(tokens: readonly Token[]): Map<number, number> {
  const partners = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, index) => {
    if (token.kind !== "punct") return;
    if ("([{".includes(token.value)) open.push(index);
    else if (")]}".includes(token.value)) {
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
 * initializers are skipped up to the `,` that starts the next declarator.
 */
function declarators(tokens: readonly Token[], start: number): [number, number][] {
  const ranges: [number, number][] = [];
  let at = start;
  while (at < tokens.length) {
    const end = topLevelStop(
      tokens,
      at,
      (token) => ["=", ",", ";"].includes(token.value) || isLoopWord(token),
    );
    ranges.push([at, end]);
    let stop = tokens[end];
    if (stop?.value === "=") {
      const next = topLevelStop(tokens, end + 1, (token) => token.value === "," || token.value === ";");
      stop = tokens[next];
      at = next + 1;
    } else {
      at = end + 1;
    }
    if (stop?.value !== ",") break;
  }
  return ranges;
}

function isLoopWord(token: Token): boolean {
  return token.kind === "name" && (token.value === "of" || token.value === "in");
}

/** The first token from `start` that `isStop` accepts outside brackets, or a bracket closing around it. */
function topLevelStop(tokens: readonly Token[], start: number, isStop: (token: Token) => boolean): number {
  let depth = 0;
  for (let at = start; at < tokens.length; at++) {
    const token = tokens[at]!;
    if (token.kind === "punct" && "([{".includes(token.value)) depth++;
    else if (token.kind === "punct" && ")]}".includes(token.value)) {
      if (depth === 0) return at;
      depth--;
    } else if (depth === 0 && (token.kind === "punct" || token.kind === "name") && isStop(token)) return at;
  }
  return tokens.length;
}
