/**
 * @module
 * One entry of a computed field's `from`: a path (`this.x`, `inputs.y`, `loop.iteration`) or a
 * template that is exactly one `{{ expr }}`. Parses it, names the computed fields it depends on,
 * and reads its current value. Must not decide when a field is recomputed (computed.ts does).
 */
import { EngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { type PathRoot, type PathSegment, parsePathSyntax, resolvePath } from "./paths.ts";
import { readPath } from "./scope.ts";
import type { EvaluationContext, StateData } from "./types.ts";

export type ComputedSource =
  | { kind: "path"; text: string; root: PathRoot; segments: readonly PathSegment[] }
  | { kind: "expression"; text: string; expression: string };

const WHOLE_TEMPLATE_PATTERN = /^\s*\{\{([\s\S]*)\}\}\s*$/;
const STRING_LITERAL_PATTERN = /"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g;
const SCOPED_NAME_PATTERN = /\b(?:this|computed|state|raw)\s*\??\.\s*([A-Za-z_$][\w$]*)/g;
const BARE_NAME_PATTERN = /(?<![.\w$])[A-Za-z_$][\w$]*/g;
const THIS_TIER_ROOTS: ReadonlySet<PathRoot> = new Set(["this", "state", "computed", "raw"]);

/** Parses one `from` entry. Throws `state.invalid_path` / `state.unknown_scope` for a bad path. */
export function parseComputedSource(text: string): ComputedSource {
  const template = WHOLE_TEMPLATE_PATTERN.exec(text);
  if (template !== null) {
    const expression = template[1]!;
    if (expression.includes("{{")) {
      throw new EngineError(
        "state.invalid_path",
        `a computed "from" must be a path or exactly one {{ }} template, not "${text}"`,
      );
    }
    return { kind: "expression", text, expression: expression.trim() };
  }
  const { root, segments } = parsePathSyntax(text.trim());
  return { kind: "path", text: text.trim(), root, segments };
}

/**
 * The computed fields `source` reads. For a template this is a conservative scan of the
 * expression: every `this.x` / `computed.x` and every bare name that is a computed field.
 */
export function computedFieldsReadBy(source: ComputedSource, computedNames: ReadonlySet<string>): string[] {
  if (source.kind === "path") {
    const first = source.segments[0];
    return THIS_TIER_ROOTS.has(source.root) && typeof first === "string" && computedNames.has(first)
      ? [first]
      : [];
  }
  const code = source.expression.replace(STRING_LITERAL_PATTERN, '""');
  const found = new Set<string>();
  for (const match of code.matchAll(SCOPED_NAME_PATTERN)) {
    if (computedNames.has(match[1]!)) found.add(match[1]!);
  }
  for (const match of code.matchAll(BARE_NAME_PATTERN)) {
    if (computedNames.has(match[0])) found.add(match[0]);
  }
  return [...found];
}

/** The current value of `source`. `bindings` is called only for a template. Evaluation errors propagate. */
export function readComputedSource(
  source: ComputedSource,
  data: StateData,
  context: EvaluationContext,
  evaluator: Evaluator,
  bindings: () => Readonly<Record<string, unknown>>,
): unknown {
  if (source.kind === "expression") return evaluator.evaluate(source.expression, bindings());
  return readPath(data, context, resolvePath(source.text, data.inputs));
}
