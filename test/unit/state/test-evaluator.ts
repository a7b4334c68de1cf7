/**
 * @module
 * A TEST-ONLY evaluator for the state tests, standing in until the QuickJS sandbox
 * (`engine/expressions/quickjs-evaluator.ts`) is committed. It uses `new Function`, which Workers
 * forbid and which is no sandbox: never import it outside tests. Like the real one it copies
 * bindings in and results out, so an expression cannot mutate the caller's data.
 */
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";

export interface CountingEvaluator extends Evaluator {
  /** sources evaluated so far, in order */
  readonly sources: string[];
}

export function createTestEvaluator(): CountingEvaluator {
  const sources: string[] = [];
  return {
    sources,
    evaluate(source, bindings) {
      sources.push(source);
      const copied = structuredClone(bindings) as Record<string, unknown>;
      const names = Object.keys(copied).filter((name) => name !== "this");
      let compiled: (...args: unknown[]) => unknown;
      try {
        compiled = compile(names, `return (${source}\n);`);
      } catch {
        try {
          compiled = compile(names, source);
        } catch (error) {
          throw new EngineError("expression.syntax", String(error));
        }
      }
      let result: unknown;
      try {
        result = compiled.apply(
          copied.this,
          names.map((name) => copied[name]),
        );
      } catch (error) {
        throw new EngineError("expression.runtime", error instanceof Error ? error.message : String(error));
      }
      return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
    },
    dispose() {},
  };
}

function compile(names: string[], body: string): (...args: unknown[]) => unknown {
  return new Function(...names, `"use strict";\n${body}`) as (...args: unknown[]) => unknown;
}
