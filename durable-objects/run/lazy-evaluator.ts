/**
 * @module
 * The expression sandbox of one Durable Object instance (a RunDO: one run; a TenantDO: its
 * trigger filters and mappings): created on first use, reused for every transition, never shared
 * with another run or tenant. The compiled QuickJS wasm module is shared per isolate; runtimes
 * and contexts are not. Every `get()` waits until the evaluator is usable: if the shared module
 * failed (in this object or any other of the isolate), the evaluator moves to a fresh module
 * first, so the next transition of every run works. A source that names `env` is refused before
 * it reaches the sandbox (`expression.env_not_allowed`), for definitions stored before publish
 * refused it. One evaluation may take `RUN_EXPRESSION_POLL_BUDGET` polls, so that it fits in a
 * work slice.
 */

import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { RUN_EXPRESSION_POLL_BUDGET } from "../../engine/machine/work-meter.ts";
import { refuseEnvReferences } from "../../engine/secrets/env-references.ts";
import wasmModule from "../../generated/quickjs-metered.wasm";

export class LazyEvaluator {
  #pending: Promise<Evaluator> | undefined;

  async get(): Promise<Evaluator> {
    this.#pending ??= createEvaluator({ wasmModule, stepBudget: RUN_EXPRESSION_POLL_BUDGET })
      .then(refuseEnvReferences)
      .catch((error: unknown) => {
        this.#pending = undefined;
        throw error;
      });
    const evaluator = await this.#pending;
    await evaluator.ready();
    return evaluator;
  }
}
