/**
 * @module
 * The isolate's compile-only expression checker for `workflow_validate` and `workflow_publish`,
 * which run `publishProblems` with it: the trigger checks, and every expression and template of
 * the file compiled without running any of them. One evaluator per isolate, made on first use.
 * It is the one evaluator shared between the tenants an isolate serves, and that is safe because
 * nothing runs in it (`Evaluator.check` compiles in QuickJS's compile-only mode: not even a
 * function is created) and no tenant's data enters it. It keeps no tenant's text either: no
 * compiled function at all, and the analysis cache keeps only short sources. If the shared
 * WebAssembly module failed elsewhere in the isolate, `ready()` moves the checker to a fresh one
 * first. If the sandbox itself fails, the evaluator is disposed, the next call makes a fresh one,
 * and the caller gets `expression.checker_unavailable` (503, retry), not a verdict on the file.
 */

import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { type Diagnostic, publishProblems } from "../../engine/loader/index.ts";
import wasmModule from "../../generated/quickjs-metered.wasm";
import { RuntimeCodes } from "../errors/codes.ts";

/** Work one compile may take (a run's expression budget; the file as a whole has `PUBLISH_CHECK_POLLS`). */
const CHECK_STEP_BUDGET = 20;

let checker: Promise<Evaluator> | undefined;

/** Everything wrong with a file the loader accepted: triggers, and expressions that do not compile. */
export async function problemsOf(yaml: string, definition: WorkflowDefinition): Promise<Diagnostic[]> {
  checker ??= createEvaluator({ wasmModule, compiledCacheSize: 1, stepBudget: CHECK_STEP_BUDGET });
  const pending = checker;
  try {
    const evaluator = await pending;
    await evaluator.ready();
    return publishProblems(yaml, definition, evaluator);
  } catch (error) {
    if (checker === pending) checker = undefined;
    void pending.then((evaluator) => evaluator.dispose()).catch(() => undefined);
    console.error("expression checker failed", isEngineError(error) ? error.toJSON() : String(error));
    throw new EngineError(
      RuntimeCodes.expressionCheckerUnavailable,
      "The expressions could not be checked just now; send the same request again.",
      { retryable: true },
    );
  }
}
