/**
 * @module
 * For Node entry points (the CLI, the benchmark, the unit tests' setup): compiles
 * `generated/quickjs-metered.wasm` (written by `scripts/meter-quickjs-wasm.mjs` on `npm ci`) and
 * registers it as the QuickJS module every evaluator of the process uses. In workerd the module is
 * imported instead (`durable-objects/run/lazy-evaluator.ts`, `worker/mcp/expression-checker.ts`).
 */

import { readFile } from "node:fs/promises";
import { useQuickJSWasm } from "../engine/expressions/quickjs-module.ts";

const METERED_WASM = new URL("../generated/quickjs-metered.wasm", import.meta.url);

let registered: Promise<void> | undefined;

/** Registers the metered QuickJS module once per process. */
export function useMeteredQuickJS(): Promise<void> {
  registered ??= readFile(METERED_WASM)
    .catch((error: unknown) => {
      throw new Error(`${METERED_WASM.pathname} is missing: run \`node scripts/meter-quickjs-wasm.mjs\``, {
        cause: error,
      });
    })
    .then((bytes) => WebAssembly.compile(bytes))
    .then(useQuickJSWasm);
  return registered;
}
