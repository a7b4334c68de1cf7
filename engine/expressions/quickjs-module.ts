/**
 * @module
 * Loads the QuickJS WebAssembly module once per process (per isolate in workerd) and shares it
 * between evaluators; each evaluator then makes its own runtime and context. A module whose
 * WebAssembly instance failed (a trap, a host stack overflow inside it) is discarded: the next
 * load builds a fresh one, and every evaluator still holding the old one sees it is discarded
 * and moves to the fresh one (`quickjs-evaluator.ts`). In Node the
 * variant finds its `.wasm` file itself. In workerd the caller passes the compiled module,
 * imported with `import wasm from "@jitl/quickjs-wasmfile-release-sync/wasm"` (a `CompiledWasm`
 * rule in `wrangler.toml` makes that import a `WebAssembly.Module`). It must not create
 * runtimes or contexts, and must not read files or the network itself.
 */

import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";

let defaultModule: Promise<QuickJSWASMModule> | undefined;
const modulesByWasm = new WeakMap<WebAssembly.Module, Promise<QuickJSWASMModule>>();
const forgetters = new WeakMap<QuickJSWASMModule, () => void>();
const discarded = new WeakSet<QuickJSWASMModule>();

/** The shared QuickJS module, built from `wasmModule` when given. A failed load is retried next call. */
export function loadQuickJS(wasmModule?: WebAssembly.Module): Promise<QuickJSWASMModule> {
  if (wasmModule === undefined) {
    defaultModule ??= remember(newQuickJSWASMModuleFromVariant(variant), () => {
      defaultModule = undefined;
    });
    return defaultModule;
  }
  let loaded = modulesByWasm.get(wasmModule);
  if (loaded === undefined) {
    loaded = remember(newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule })), () => {
      modulesByWasm.delete(wasmModule);
    });
    modulesByWasm.set(wasmModule, loaded);
  }
  return loaded;
}

/**
 * Drops a module whose WebAssembly instance failed (its memory may be inconsistent), so the next
 * `loadQuickJS` builds a fresh one. Nothing may run in the old module again.
 */
export function discardQuickJS(module: QuickJSWASMModule): void {
  discarded.add(module);
  forgetters.get(module)?.();
  forgetters.delete(module);
}

/** True once `module` was discarded: its runtimes and contexts must be abandoned, not used or freed. */
export function isDiscarded(module: QuickJSWASMModule): boolean {
  return discarded.has(module);
}

function remember(promise: Promise<QuickJSWASMModule>, forget: () => void): Promise<QuickJSWASMModule> {
  return promise.then(
    (module) => {
      forgetters.set(module, forget);
      return module;
    },
    (error: unknown) => {
      forget();
      throw error;
    },
  );
}
