/**
 * @module
 * The expression sandbox of one RunDO instance: created on first use, reused for every
 * transition of that run, never shared with another run or tenant (each RunDO is one run). The
 * compiled QuickJS wasm module is shared per isolate; runtimes and contexts are not. One
 * evaluation may take `RUN_EXPRESSION_POLL_BUDGET` polls, so that it fits in a work slice.
 */
import wasmModule from "@jitl/quickjs-wasmfile-release-sync/wasm";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { RUN_EXPRESSION_POLL_BUDGET } from "../../engine/machine/work-meter.ts";

export class LazyEvaluator {
  #pending: Promise<Evaluator> | undefined;

  get(): Promise<Evaluator> {
    this.#pending ??= createEvaluator({ wasmModule, stepBudget: RUN_EXPRESSION_POLL_BUDGET }).catch(
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }
}
