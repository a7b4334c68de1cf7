/**
 * @module
 * Codes of the expression sandbox and the `{{ }}` template scanner: a workflow's expression or template that does not parse, is refused, or spends its budget.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const EXPRESSION_CODES = [
  "expression.budget_exceeded",
  "expression.disposed",
  "expression.env_not_allowed",
  "expression.forbidden",
  "expression.memory_exceeded",
  "expression.result_too_large",
  "expression.runtime",
  "expression.syntax",
  "expression.too_complex",
  "expression.too_long",
  "template.empty",
  "template.unclosed",
] as const;

export type ExpressionCode = (typeof EXPRESSION_CODES)[number];
