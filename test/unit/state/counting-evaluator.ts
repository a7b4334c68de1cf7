/**
 * @module
 * The real QuickJS evaluator for the state tests, wrapped to record every source it evaluates
 * (so a test can tell whether a transform reran). One sandbox per test file.
 */
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";

const sandbox = await createEvaluator();

export interface CountingEvaluator extends Evaluator {
  /** sources evaluated through this wrapper, in order */
  readonly sources: string[];
}

export function createCountingEvaluator(): CountingEvaluator {
  const sources: string[] = [];
  return {
    sources,
    evaluate(source, bindings) {
      sources.push(source);
      return sandbox.evaluate(source, bindings);
    },
    check(source) {
      sandbox.check(source);
    },
    ready: () => sandbox.ready(),
    get pollsUsed() {
      return sandbox.pollsUsed;
    },
    dispose() {},
  };
}
