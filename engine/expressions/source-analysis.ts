/**
 * @module
 * Reads an expression's tokens once (the result is cached per source string) and answers what
 * the evaluator needs before it compiles: which free names it may read (so only those
 * bindings are copied in), whether it uses `this`, whether it is an expression or a statement
 * body, and whether its brackets balance. It rejects forbidden names (`expression.forbidden`)
 * and unbalanced or unterminated text (`expression.syntax`). Balanced brackets also guarantee
 * the source cannot close the function the evaluator wraps it in. It must not evaluate
 * anything.
 */

import { EngineError } from "../errors.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { isForbiddenName } from "./forbidden-names.ts";
import { isMemberAccess, JsLexError, JsLexer, type Token } from "./js-lexer.ts";
import { MemberAccessTracker } from "./member-access.ts";
import { lineColumnAt } from "./source-position.ts";

export type SourceForm = "expression" | "statements";

export interface SourceAnalysis {
  readonly source: string;
  /**
   * Every name outside a member access (`a` in `a.b`) that could be a binding: first-seen order,
   * no duplicates, no reserved words.
   */
  readonly names: readonly string[];
  readonly usesThis: boolean;
  /**
   * Names (`this` included) read only as `name.prop`, with their properties: only those need
   * copying into the sandbox. Names not listed are copied whole.
   */
  readonly memberReads: ReadonlyMap<string, readonly string[]>;
  /** The form to compile first; the other is tried when that one is a syntax error. */
  readonly preferredForm: SourceForm;
  /** The source without trailing top-level semicolons: what the expression form wraps. */
  readonly expressionText: string;
  /** A `;` separates statements at the top level, so a statement body is what was meant. */
  readonly separatesStatements: boolean;
}

const STATEMENT_KEYWORDS = new Set([
  "const",
  "let",
  "var",
  "if",
  "for",
  "while",
  "do",
  "switch",
  "try",
  "throw",
  "return",
]);
/** Words that cannot name a parameter of a strict-mode function. */
const RESERVED_WORDS = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export extends false " +
    "finally for function if implements import in instanceof interface let new null package private " +
    "protected public return static super switch this throw true try typeof var void while with yield " +
    "arguments eval"
  ).split(" "),
);
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
const CLOSERS: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };

const analyses = new BoundedCache<string, SourceAnalysis>(2048);

/**
 * The longest expression (UTF-16 units) any workflow, filter or mapping may hold: six times the
 * longest in AroMCP's own workflows (643). Longer is `expression.too_long`, at publish and at
 * run time. It also bounds the analysis cache, which keeps every source it accepts (2,048 ×
 * 4 KiB at most) and lives as long as the isolate; an analysis of a longer source would be paid
 * for at every evaluation, uncharged.
 */
export const MAX_EXPRESSION_LENGTH = 4096;

/** A word that cannot be a binding's name in an expression (`true`, `typeof`, `this`, ...). */
export function isReservedWord(name: string): boolean {
  return RESERVED_WORDS.has(name);
}

/** Analyses `source`, from the cache when it was seen before. Throws `EngineError`. */
export function analyzeSource(source: string): SourceAnalysis {
  const cached = analyses.get(source);
  if (cached !== undefined) return cached;
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new EngineError(
      "expression.too_long",
      `an expression may be at most ${MAX_EXPRESSION_LENGTH} characters; this one has ${source.length} (compute in steps, or move data into state)`,
      { line: 1, column: 1 },
    );
  }
  const analysis = scan(source);
  analyses.set(source, analysis);
  return analysis;
}

function scan(source: string): SourceAnalysis {
  const lexer = new JsLexer(source);
  const names = new Set<string>();
  const open: Token[] = [];
  const members = new MemberAccessTracker();
  let usesThis = false;
  let first: Token | undefined;
  let previous: Token | undefined;
  /** Top-level `;` tokens; those after the last other token are "trailing". */
  let topLevelSemicolons: Token[] = [];
  let separatesStatements = false;
  for (let token = nextToken(lexer, source); token !== undefined; token = nextToken(lexer, source)) {
    first ??= token;
    if (token.kind === "name") {
      if (isForbiddenName(token.value)) throw forbidden(source, token);
      const isMember = previous?.kind === "punct" && isMemberAccess(previous.value);
      const isThis = token.value === "this" && !isMember;
      const isFree = !isMember && isBindableName(token.value);
      if (isThis) usesThis = true;
      else if (isFree) names.add(token.value);
      members.see(token, isThis || isFree);
    } else {
      members.see(token, false);
      if (token.kind === "punct" || token.kind === "template") checkBracket(source, token, open);
    }
    if (token.kind === "punct" && token.value === ";" && open.length === 0) {
      topLevelSemicolons.push(token);
    } else {
      if (topLevelSemicolons.length > 0) separatesStatements = true;
      topLevelSemicolons = [];
    }
    previous = token;
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) {
    throw syntax(source, unclosed.start, `'${openerOf(unclosed)}' is never closed`);
  }
  const trailing = topLevelSemicolons[0];
  const startsWithStatement = first?.kind === "name" && STATEMENT_KEYWORDS.has(first.value);
  return {
    source,
    names: [...names],
    usesThis,
    memberReads: members.finish(),
    preferredForm: startsWithStatement ? "statements" : "expression",
    expressionText: trailing === undefined ? source : source.slice(0, trailing.start),
    separatesStatements,
  };
}

/** A name that can be a parameter of the strict function the evaluator compiles. */
function isBindableName(name: string): boolean {
  return !RESERVED_WORDS.has(name) && IDENTIFIER.test(name);
}

function nextToken(lexer: JsLexer, source: string): Token | undefined {
  try {
    return lexer.next();
  } catch (error) {
    if (error instanceof JsLexError) throw syntax(source, error.offset, error.message);
    throw error;
  }
}

/** Keeps the stack of open brackets (template `${` included) and rejects a mismatch. */
function checkBracket(source: string, token: Token, open: Token[]): void {
  if (token.kind === "template") {
    if (token.value.startsWith("}")) {
      const top = open.pop();
      if (top === undefined || openerOf(top) !== "${") throw syntax(source, token.start, "unexpected '}'");
    }
    if (token.value.endsWith("${")) open.push(token);
    return;
  }
  const value = token.value;
  if (value === "(" || value === "[" || value === "{") {
    open.push(token);
    return;
  }
  const expected = CLOSERS[value];
  if (expected === undefined) return;
  const top = open.pop();
  if (top === undefined || openerOf(top) !== expected) {
    throw syntax(source, token.start, `unexpected '${value}'`);
  }
}

function openerOf(token: Token): string {
  return token.kind === "template" ? "${" : token.value;
}

function forbidden(source: string, token: Token): EngineError {
  const where = lineColumnAt(source, token.start);
  return new EngineError("expression.forbidden", `'${token.value}' is not allowed in expressions`, where);
}

function syntax(source: string, offset: number, problem: string): EngineError {
  const where = lineColumnAt(source, offset);
  return new EngineError("expression.syntax", `SyntaxError: ${problem}`, where);
}
