/**
 * @module
 * Maps what QuickJS threw to an `EngineError` with a stable code:
 * - the step budget ran out, or code recursed or nested too deeply while running (QuickJS's stack
 *   limit, also for `JSON.parse`/`JSON.stringify` of deep data): `expression.budget_exceeded`;
 * - the source nests too deeply to compile: `expression.syntax`;
 * - a result larger than the limit: `expression.result_too_large`;
 * - the memory limit was hit (`InternalError: out of memory`, `string too long`, or a bare `null`
 *   thrown when even the error could not be allocated): `expression.memory_exceeded`;
 * - a poisoned `constructor` was called: `expression.forbidden`;
 * - a syntax error while compiling: `expression.syntax`;
 * - anything else: `expression.runtime`, with the JavaScript message (`TypeError: ...`).
 * Line and column come from the stack, relative to the expression's own text. It must not
 * touch QuickJS handles: it works on the plain description the sandbox hands over.
 */

import { EngineError, type SourceLocation } from "../errors.ts";
import { CODE_GENERATION_MESSAGE, RESULT_TOO_LARGE_MESSAGE } from "./sandbox-prelude.ts";
import type { LineColumn } from "./source-position.ts";

/** A thrown value as described inside the sandbox. `name` is empty when it was not an Error. */
export interface ThrownValue {
  name: string;
  message: string;
  stack: string;
  /** `null` was thrown: what QuickJS throws when memory runs out while it builds the error. */
  isNull?: boolean;
}

/** True for the failures that mean the memory limit (or the longest string) was reached. */
export function isOutOfMemory(thrown: ThrownValue): boolean {
  if (thrown.isNull === true) return true;
  return (
    thrown.name === "InternalError" &&
    (thrown.message === "out of memory" || thrown.message === "string too long")
  );
}

export type EvaluationPhase = "compile" | "run";

export interface ThrownContext {
  phase: EvaluationPhase;
  /** The host's interrupt handler stopped the evaluation. */
  budgetExhausted: boolean;
  stepBudget: number;
  /** The result cap, for the message of `expression.result_too_large`. */
  maxResultBytes: number;
  /** The file name the wrapped source was compiled under; stack positions use it. */
  filename: string;
  /** Lines the wrapper adds before the first line of the source. */
  lineOffset: number;
  /** Lines in the source: a position past them (the wrapper's closing line) reports the last. */
  sourceLines: number;
}

/** The error of a call that used up its budget of `stepBudget` steps (polls, or their fuel). */
export function budgetExceeded(stepBudget: number, where: SourceLocation = {}): EngineError {
  return new EngineError(
    "expression.budget_exceeded",
    `expression ran past its budget of ${stepBudget} steps (an endless loop?)`,
    where,
  );
}

/**
 * The error of a result past the cap: its JSON text is longer than `maxResultBytes`, or writing it
 * took more work than a result of that size can (the allowance of `resultBudget`).
 */
export function resultTooLarge(maxResultBytes: number, where: SourceLocation = {}): EngineError {
  return new EngineError(
    "expression.result_too_large",
    `the expression's result is larger than ${maxResultBytes} bytes of JSON`,
    where,
  );
}

export function toEngineError(thrown: ThrownValue, context: ThrownContext): EngineError {
  const where = positionIn(thrown.stack, context);
  if (context.budgetExhausted) return budgetExceeded(context.stepBudget, where);
  if (isOutOfMemory(thrown)) {
    const detail =
      thrown.isNull === true
        ? " (or threw null)"
        : thrown.message === "string too long"
          ? " (string too long)"
          : "";
    return new EngineError("expression.memory_exceeded", `expression ran out of memory${detail}`, where);
  }
  if (isStackOverflow(thrown)) {
    return context.phase === "compile"
      ? new EngineError("expression.syntax", "SyntaxError: the expression nests too deeply to compile", where)
      : new EngineError(
          "expression.budget_exceeded",
          "expression recursed or nested too deeply (stack overflow)",
          where,
        );
  }
  if (thrown.name === "RangeError" && thrown.message === RESULT_TOO_LARGE_MESSAGE) {
    return resultTooLarge(context.maxResultBytes, where);
  }
  if (thrown.name === "TypeError" && thrown.message === CODE_GENERATION_MESSAGE) {
    return new EngineError("expression.forbidden", `TypeError: ${CODE_GENERATION_MESSAGE}`, where);
  }
  const text = thrown.name === "" ? thrown.message : `${thrown.name}: ${thrown.message}`;
  if (context.phase === "compile" && thrown.name === "SyntaxError") {
    // Past the last line means the parser hit the wrapper's closing brackets: the source ended early.
    const pastEnd = where.line === context.sourceLines && where.column === undefined;
    return new EngineError(
      "expression.syntax",
      pastEnd ? "SyntaxError: unexpected end of input" : text,
      where,
    );
  }
  return new EngineError("expression.runtime", text, where);
}

/** QuickJS's stack limit: `InternalError` from calls, `SyntaxError` from the parser and `JSON.parse`. */
function isStackOverflow(thrown: ThrownValue): boolean {
  return (
    (thrown.name === "InternalError" || thrown.name === "SyntaxError") && thrown.message === "stack overflow"
  );
}

/** The first stack position inside the expression, shifted back past the wrapper's lines. */
function positionIn(stack: string, context: ThrownContext): Partial<LineColumn> {
  const escaped = context.filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (match === null) return {};
  const line = Number(match[1]) - context.lineOffset;
  if (line < 1) return {};
  if (line > context.sourceLines) return { line: context.sourceLines };
  return { line, column: Number(match[2]) };
}
