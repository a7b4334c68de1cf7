/**
 * @module
 * Loads the metered QuickJS WebAssembly module (`generated/quickjs-metered.wasm`, built from
 * QuickJS's own by `scripts/meter-quickjs-wasm.mjs`) once per process (per isolate in workerd)
 * and shares it between evaluators; each evaluator then makes its own runtime and context, and
 * reads the instance's fuel through `fuelTank`. A module whose WebAssembly instance failed (a
 * trap, out of fuel, a host stack overflow inside it) is discarded: the next load builds a fresh
 * one, and every evaluator still holding the old one sees it is discarded and moves to the fresh
 * one (`quickjs-evaluator.ts`). In workerd the caller passes the compiled module, imported as
 * `generated/quickjs-metered.wasm` (wrangler's `**\/*.wasm` CompiledWasm rule makes that import a
 * `WebAssembly.Module`); in Node the entry point (CLI, benchmark, test setup) compiles that file and
 * registers it once with `useQuickJSWasm` (`cli/metered-quickjs.ts`). It must not create runtimes
 * or contexts, and must not read files or the network itself.
 */

import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import { type FuelTank, fuelTankOf } from "./wasm-fuel.ts";

let defaultWasm: WebAssembly.Module | undefined;
const modulesByWasm = new WeakMap<WebAssembly.Module, Promise<QuickJSWASMModule>>();
const forgetters = new WeakMap<QuickJSWASMModule, () => void>();
const discarded = new WeakSet<QuickJSWASMModule>();
const tanks = new WeakMap<QuickJSWASMModule, FuelTank>();
const discardListeners = new WeakMap<QuickJSWASMModule, Set<() => void>>();

/** Makes `wasmModule` (the metered QuickJS) the one `loadQuickJS()` uses when given none. */
export function useQuickJSWasm(wasmModule: WebAssembly.Module): void {
  defaultWasm = wasmModule;
}

/**
 * The shared QuickJS module, built from `wasmModule`, or from the one registered with
 * `useQuickJSWasm`. A failed load is retried next call.
 */
export function loadQuickJS(given?: WebAssembly.Module): Promise<QuickJSWASMModule> {
  const wasmModule = given ?? defaultWasm;
  if (wasmModule === undefined) {
    return Promise.reject(
      new Error("no QuickJS WebAssembly module: pass the metered one, or register it with useQuickJSWasm"),
    );
  }
  let loaded = modulesByWasm.get(wasmModule);
  if (loaded === undefined) {
    loaded = remember(instantiate(wasmModule), () => {
      modulesByWasm.delete(wasmModule);
    });
    modulesByWasm.set(wasmModule, loaded);
  }
  return loaded;
}

/** The fuel counter of a module `loadQuickJS` built. */
export function fuelTank(module: QuickJSWASMModule): FuelTank {
  const tank = tanks.get(module);
  if (tank === undefined) throw new Error("this QuickJS module was not built by loadQuickJS");
  return tank;
}

/** A fresh instance of the metered module, its fuel tank remembered beside it. */
async function instantiate(wasmModule: WebAssembly.Module): Promise<QuickJSWASMModule> {
  let tank: FuelTank | undefined;
  const metered = newVariant(variant, {
    emscriptenModule: {
      instantiateWasm(imports: WebAssembly.Imports, onSuccess: (instance: WebAssembly.Instance) => void) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => {
          tank = fuelTankOf(instance.exports);
          onSuccess(instance);
        });
        return {};
      },
    },
  });
  const module = await newQuickJSWASMModuleFromVariant(metered);
  if (tank === undefined) throw new Error("the QuickJS module was built without its fuel tank");
  tanks.set(module, tank);
  return module;
}

/**
 * Drops a module whose WebAssembly instance failed (its memory may be inconsistent), so the next
 * `loadQuickJS` builds a fresh one. Nothing may run in the old module again.
 */
export function discardQuickJS(module: QuickJSWASMModule): void {
  discarded.add(module);
  forgetters.get(module)?.();
  forgetters.delete(module);
  const listeners = discardListeners.get(module);
  discardListeners.delete(module);
  for (const listener of listeners ?? []) listener();
}

/**
 * Calls `listener` once when `module` is discarded, so every holder can let go of it at once (a
 * WebAssembly instance is about 15 MB; an evaluator that stays idle must not keep a dead one).
 * Returns the function that cancels it.
 */
export function onDiscard(module: QuickJSWASMModule, listener: () => void): () => void {
  let listeners = discardListeners.get(module);
  if (listeners === undefined) {
    listeners = new Set();
    discardListeners.set(module, listeners);
  }
  listeners.add(listener);
  return () => discardListeners.get(module)?.delete(listener);
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
