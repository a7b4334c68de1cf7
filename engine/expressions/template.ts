/**
 * @module
 * `{{ expr }}` templates. The scanner balances `{`/`}` inside an expression and skips JavaScript
 * string, template and regex literals, so `{{ files.filter(f => { return f.ok }) }}` and
 * `{{ x ? {"a": 1} : {"b": 2} }}` are one template each. A string that is exactly one template
 * (whitespace around it allowed) renders to the expression's value with its type; mixed text
 * interpolates (strings as they are, `undefined`/`null` as "", objects and arrays as JSON,
 * other values through `String`). Parsed templates are cached.
 * It must not evaluate anything itself: the caller passes `evaluate`, bound to its scopes.
 */

import { EngineError } from "../errors.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { JsLexError, JsLexer } from "./js-lexer.ts";
import { LineColumnCursor } from "./source-position.ts";

export interface TemplateText {
  readonly kind: "text";
  readonly text: string;
}

export interface TemplateExpression {
  readonly kind: "expression";
  /** The JavaScript between the braces, trimmed. */
  readonly source: string;
  /** Where the `{{` is: offset in the text, 1-based line and column. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type TemplatePart = TemplateText | TemplateExpression;

/** Evaluates one expression found in a template. */
export type EvaluateExpression = (source: string) => unknown;

const OPEN = "{{";
const parsed = new BoundedCache<string, readonly TemplatePart[]>(2048);

/** Whether `text` contains a template (an opening `{{`). */
export function hasTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits `text` into literal text and `{{ }}` expressions. Throws `EngineError`
 * `template.unclosed` (with line and column of the `{{`) or `template.empty`.
 */
export function parseTemplate(text: string): readonly TemplatePart[] {
  const cached = parsed.get(text);
  if (cached !== undefined) return cached;
  const parts = Object.freeze(scanTemplate(text));
  parsed.set(text, parts);
  return parts;
}

/**
 * Renders `text`: the typed value when it is exactly one template, otherwise a string with each
 * template's value interpolated. Text without templates comes back unchanged.
 */
export function renderTemplate(text: string, evaluate: EvaluateExpression): unknown {
  if (!hasTemplate(text)) return text;
  const parts = parseTemplate(text);
  const single = soleExpression(parts);
  if (single !== undefined) return evaluate(single.source);
  let rendered = "";
  for (const part of parts) {
    rendered += part.kind === "text" ? part.text : interpolate(evaluate(part.source));
  }
  return rendered;
}

/** Renders every string inside arrays and plain objects (keys untouched); returns new containers. */
export function renderDeep(value: unknown, evaluate: EvaluateExpression): unknown {
  if (typeof value === "string") return renderTemplate(value, evaluate);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, evaluate));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, evaluate)]));
  }
  return value;
}

/** How a value reads inside mixed text. */
export function interpolate(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value) ?? "";
  return String(value);
}

function soleExpression(parts: readonly TemplatePart[]): TemplateExpression | undefined {
  let expression: TemplateExpression | undefined;
  for (const part of parts) {
    if (part.kind === "text") {
      if (part.text.trim() !== "") return undefined;
    } else if (expression === undefined) {
      expression = part;
    } else {
      return undefined;
    }
  }
  return expression;
}

function scanTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  // one pass over the text for every part's position, not one from the top per `{{`
  const cursor = new LineColumnCursor(text);
  for (let open = text.indexOf(OPEN); open >= 0; open = text.indexOf(OPEN, literalStart)) {
    const close = findClose(text, open + OPEN.length);
    const where = cursor.at(open);
    if (close === undefined) {
      throw new EngineError(
        "template.unclosed",
        `'{{' at line ${where.line}, column ${where.column} is never closed with '}}'`,
        where,
      );
    }
    const source = text.slice(open + OPEN.length, close).trim();
    if (source === "") {
      throw new EngineError(
        "template.empty",
        `'{{ }}' at line ${where.line}, column ${where.column} has no expression`,
        where,
      );
    }
    if (open > literalStart) parts.push({ kind: "text", text: text.slice(literalStart, open) });
    parts.push({ kind: "expression", source, offset: open, ...where });
    literalStart = close + 2;
  }
  if (literalStart < text.length) parts.push({ kind: "text", text: text.slice(literalStart) });
  return parts;
}

/**
 * Where the expression of the part whose `{{` is at `open` starts in `text`: after the braces and
 * the blanks `parseTemplate` trims (reads only those blanks).
 */
export function expressionStart(text: string, open: number): number {
  const blanks = /\s*/y;
  blanks.lastIndex = open + OPEN.length;
  return blanks.exec(text) === null ? open + OPEN.length : blanks.lastIndex;
}

/** The offset of the `}}` that closes an expression starting at `from`, skipping literals. */
function findClose(text: string, from: number): number | undefined {
  const lexer = new JsLexer(text, from);
  let depth = 0;
  try {
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
      if (token.kind !== "punct") continue;
      if (token.value === "{") depth++;
      else if (token.value === "}") {
        if (depth > 0) depth--;
        else if (text[token.end] === "}") return token.start;
      }
    }
  } catch (error) {
    if (error instanceof JsLexError) return undefined;
    throw error;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
