/**
 * @module
 * One entry of a computed field's `from`: a path (`this.x`, `inputs.y`, `loop.iteration`) or a
 * template (exactly one `{{ expr }}` keeps the value's type; mixed text gives a string). Parses
 * it, names the computed fields it depends on, and reads its current value.
 * Must not decide when a field is recomputed (computed.ts does).
 */
import { EngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { isMemberAccess, JsLexError, JsLexer } from "../expressions/js-lexer.ts";
import { hasTemplate, parseTemplate, renderTemplate } from "../expressions/template.ts";
import { readPath } from "./bindings.ts";
import { type PathRoot, type PathSegment, parsePathSyntax, scopeOfRoot } from "./paths.ts";
import type { EvaluationContext, StateData } from "./state-data.ts";

export type ComputedSource =
  | { kind: "path"; text: string; root: PathRoot; segments: readonly PathSegment[] }
  | { kind: "template"; text: string; expressions: readonly string[] };

const THIS_TIER_ROOTS: ReadonlySet<string> = new Set(["this", "state", "computed", "raw"]);

/**
 * Parses one `from` entry: a template when it holds `{{`, else a path. Throws
 * `state.invalid_path` / `state.unknown_scope` for a bad path, `template.*` for a bad template.
 */
export function parseComputedSource(text: string): ComputedSource {
  if (hasTemplate(text)) {
    const expressions = parseTemplate(text).flatMap((part) =>
      part.kind === "expression" ? [part.source] : [],
    );
    return { kind: "template", text, expressions };
  }
  const path = text.trim();
  const { root, segments } = parsePathSyntax(path);
  return { kind: "path", text: path, root, segments };
}

/**
 * The computed fields `source` reads. For a template this is a conservative token scan: every
 * `this.x` / `computed.x` / `state.x` / `raw.x`, and every other name outside a member access,
 * that is a computed field.
 */
export function computedFieldsReadBy(source: ComputedSource, computedNames: ReadonlySet<string>): string[] {
  if (source.kind === "path") {
    const first = source.segments[0];
    return THIS_TIER_ROOTS.has(source.root) && typeof first === "string" && computedNames.has(first)
      ? [first]
      : [];
  }
  const found = new Set<string>();
  for (const expression of source.expressions) {
    for (const name of namesRead(expression)) if (computedNames.has(name)) found.add(name);
  }
  return [...found];
}

/** Free names, plus the property names read directly off `this`, `computed`, `state`, `raw`. */
function namesRead(expression: string): string[] {
  const names: string[] = [];
  const lexer = new JsLexer(expression);
  let beforePrevious: string | undefined;
  let previous: string | undefined;
  try {
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
      const value = token.kind === "name" || token.kind === "punct" ? token.value : undefined;
      if (token.kind === "name") {
        const afterMemberAccess = previous !== undefined && isMemberAccess(previous);
        if (!afterMemberAccess || (beforePrevious !== undefined && THIS_TIER_ROOTS.has(beforePrevious))) {
          names.push(token.value);
        }
      }
      beforePrevious = previous;
      previous = value;
    }
  } catch (error) {
    if (!(error instanceof JsLexError)) throw error;
    throw new EngineError("expression.syntax", `${error.message} in {{ ${expression} }}`, { cause: error });
  }
  return names;
}

/** The current value of `source`. `bindings` is called only for a template. Evaluation errors propagate. */
export function readComputedSource(
  source: ComputedSource,
  data: StateData,
  context: EvaluationContext,
  evaluator: Evaluator,
  bindings: () => Readonly<Record<string, unknown>>,
): unknown {
  if (source.kind === "template") {
    return renderTemplate(source.text, (expression) => evaluator.evaluate(expression, bindings()));
  }
  const { text, root, segments } = source;
  return readPath(data, context, { text, root, segments, scope: scopeOfRoot(root, segments, data.inputs) });
}
