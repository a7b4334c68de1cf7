/**
 * @module
 * Loads the QuickJS WebAssembly module once per process (per isolate in workerd) and shares it
 * between evaluators; each evaluator then makes its own runtime and context. In Node the
 * variant finds its `.wasm` file itself. In workerd the caller passes the compiled module,
 * imported with `import wasm from "@jitl/quickjs-wasmfile-release-sync/wasm"` (a `CompiledWasm`
 * rule in `wrangler.toml` makes that import a `WebAssembly.Module`). It must not create
 * runtimes or contexts, and must not read files or the network itself.
 */

import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";

let defaultModule: Promise<QuickJSWASMModule> | undefined;
const modulesByWasm = new WeakMap<WebAssembly.Module, Promise<QuickJSWASMModule>>();

/** The shared QuickJS module, built from `wasmModule` when given. A failed load is retried next call. */
export function loadQuickJS(wasmModule?: WebAssembly.Module): Promise<QuickJSWASMModule> {
  if (wasmModule === undefined) {
    defaultModule ??= forgetOnFailure(newQuickJSWASMModuleFromVariant(variant), () => {
      defaultModule = undefined;
    });
    return defaultModule;
  }
  let loaded = modulesByWasm.get(wasmModule);
  if (loaded === undefined) {
    loaded = forgetOnFailure(newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule })), () => {
      modulesByWasm.delete(wasmModule);
    });
    modulesByWasm.set(wasmModule, loaded);
  }
  return loaded;
}

function forgetOnFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
  return promise.catch((error: unknown) => {
    forget();
    throw error;
  });
}
