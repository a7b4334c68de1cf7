/**
 * @module
 * Refusing `env` in expressions. Secrets are capabilities, not values: no expression has an
 * `env` binding, and one that names `env` (outside a member access such as `this.env` or
 * `event.env`) is refused with `expression.env_not_allowed` and the position of the name, at
 * publish (`check-expressions.ts`) and, for a definition stored before that check, when it runs
 * (`refuseEnvReferences` wraps the evaluator). The name is found with the tokenizer the engine
 * already uses, so text inside strings, comments and regexes does not count; an object key
 * `{env: 1}` does (quote it). Must not evaluate anything.
 */

import { EngineError } from "../errors.ts";
import { BoundedCache } from "../expressions/bounded-cache.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { isMemberAccess, JsLexError, JsLexer } from "../expressions/js-lexer.ts";
import { MAX_EXPRESSION_LENGTH } from "../expressions/source-analysis.ts";
import { lineColumnAt } from "../expressions/source-position.ts";
import { CAPABILITY_FIELDS_TEXT } from "./secret-template.ts";

export const ENV_NOT_ALLOWED = "expression.env_not_allowed";

/** The name no expression may read. */
const ENV = "env";

/** Offset of the first `env` read per source (`null`: none); sources come from definitions. */
const verdicts = new BoundedCache<string, number | null>(2048);

/**
 * The `expression.env_not_allowed` error for `source` (line and column of the name, relative to
 * `source`), or `undefined` when it does not name `env`. A source the tokenizer cannot read, or
 * one longer than any expression may be, is left to the evaluator, which refuses it.
 */
export function envReferenceError(source: string): EngineError | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) return undefined;
  let offset = verdicts.get(source);
  if (offset === undefined) {
    offset = firstEnvReference(source);
    verdicts.set(source, offset);
  }
  if (offset === null) return undefined;
  return new EngineError(
    ENV_NOT_ALLOWED,
    "env (the tenant's secrets) cannot be read in an expression: a secret is written as " +
      `{{ env.NAME }}, alone or inside literal text, only in ${CAPABILITY_FIELDS_TEXT}; ` +
      "for a field named env write this.env, inputs.env or event.env",
    lineColumnAt(source, offset),
  );
}

/** `evaluator`, refusing every source that names `env` before it reaches the sandbox. */
export function refuseEnvReferences(evaluator: Evaluator): Evaluator {
  return {
    evaluate(source, bindings) {
      const refused = envReferenceError(source);
      if (refused !== undefined) throw refused;
      return evaluator.evaluate(source, bindings);
    },
    check(source) {
      const refused = envReferenceError(source);
      if (refused !== undefined) throw refused;
      evaluator.check(source);
    },
    ready: () => evaluator.ready(),
    get pollsUsed() {
      return evaluator.pollsUsed;
    },
    dispose() {
      evaluator.dispose();
    },
  };
}

function firstEnvReference(source: string): number | null {
  if (!source.includes(ENV) && !source.includes("\\u")) return null;
  const lexer = new JsLexer(source);
  let previous: string | undefined;
  try {
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
      if (
        token.kind === "name" &&
        token.value === ENV &&
        !(previous !== undefined && isMemberAccess(previous))
      )
        return token.start;
      previous = token.kind === "punct" ? token.value : undefined;
    }
  } catch (error) {
    if (error instanceof JsLexError) return null;
    throw error;
  }
  return null;
}
