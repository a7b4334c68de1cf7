/**
 * @module
 * The expression sandbox of one RunDO instance: created on first use, reused for every
 * transition of that run, never shared with another run or tenant (each RunDO is one run). The
 * compiled QuickJS wasm module is shared per isolate; runtimes and contexts are not. A source
 * that names `env` is refused before it reaches the sandbox (`expression.env_not_allowed`), for
 * definitions stored before publish refused it.
 */
import wasmModule from "@jitl/quickjs-wasmfile-release-sync/wasm";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { refuseEnvReferences } from "../../engine/secrets/env-references.ts";

export class LazyEvaluator {
  #pending: Promise<Evaluator> | undefined;

  get(): Promise<Evaluator> {
    this.#pending ??= createEvaluator({ wasmModule })
      .then(refuseEnvReferences)
      .catch((error: unknown) => {
        this.#pending = undefined;
        throw error;
      });
    return this.#pending;
  }
}
