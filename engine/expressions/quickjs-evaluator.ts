/**
 * @module
 * The QuickJS-backed `Evaluator` (decision record: docs/decisions/0001-expression-sandbox.md).
 * One evaluator owns one sandbox (runtime + context), built on first need; make one per run and
 * never share it across tenants (the worker's compile-only checker, which runs nothing, is the one
 * exception: worker/mcp/expression-checker.ts). A plain property path (`inputs.n`) is read from
 * the bindings without the sandbox (`path-shortcut.ts`); for anything else `evaluate` analyses the
 * source (forbidden names, brackets, free names), compiles it once into a strict-mode function
 * whose parameters are the binding names it reads (an expression, or a statement body with
 * `return`; the wrapper proves the source stays inside it: `source-wrapper.ts`), copies just
 * those bindings in as JSON, calls it under the step budget, and copies the result out as JSON
 * (at most `maxResultBytes`). `check` runs the same analysis and compiles in QuickJS's
 * compile-only mode: nothing is run, not even the creation of the function. A binding named
 * `this` becomes the receiver, so `this.counter` works. After a memory failure (or when async
 * code left jobs queued) the sandbox is rebuilt before the next call; after a failure of the
 * WebAssembly module itself (this evaluator's or another's: the module is shared per isolate) the
 * evaluator moves to a fresh module, which `ready()` waits for. At most `MAX_LIVE_SANDBOXES` sandboxes
 * are live per isolate (`live-sandboxes.ts`): an evaluator whose sandbox was freed for a newer one
 * builds a fresh one on its next call, and the work of that rebuild (its prelude, and compiling
 * again what its old sandbox had cached) is not counted in `pollsUsed`.
 * It must not hand any host object to the sandbox or any sandbox handle to the caller.
 */

import type { QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten-core";
import { EngineError } from "../errors.ts";
import { encodeArguments } from "./binding-transfer.ts";
import type { Evaluator } from "./evaluator.ts";
import {
  forgetSandbox,
  liveSandboxCount,
  makeRoomForSandbox,
  markSandboxUsed,
  type SandboxHolder,
} from "./live-sandboxes.ts";
import { isPlainPath, readPathShortcut } from "./path-shortcut.ts";
import { discardQuickJS, fuelTank, isDiscarded, loadQuickJS, onDiscard } from "./quickjs-module.ts";
import {
  QuickJSSandbox,
  SANDBOX_FILENAME,
  type SandboxLimits,
  type SandboxResult,
} from "./quickjs-sandbox.ts";
import { budgetExceeded, resultTooLarge, toEngineError } from "./sandbox-errors.ts";
import { analyzeSource, type SourceAnalysis, type SourceForm } from "./source-analysis.ts";
import { WRAPPER_LINES, wrapSource, wrapSourceUnproven } from "./source-wrapper.ts";

export interface EvaluatorOptions {
  /** Bytes the sandbox may allocate. Default 16 MiB. */
  memoryLimitBytes?: number;
  /**
   * QuickJS stack while code runs, in bytes. Default 24 KiB (about 130 nested calls); at most
   * 256 KiB. Past the default, deep native recursion (`JSON.stringify` of nested arrays) can
   * overflow the host stack before QuickJS's own check: the evaluator survives it by moving to a
   * fresh WebAssembly module, but every evaluator of the isolate pays for that.
   */
  maxStackSizeBytes?: number;
  /** QuickJS stack while source compiles, in bytes. Default 12 KiB (about 80 nested brackets); at most 256 KiB. */
  compileStackSizeBytes?: number;
  /** Largest result, in UTF-8 bytes of its JSON text. Default `MAX_RESULT_BYTES` (1 MiB). */
  maxResultBytes?: number;
  /**
   * Interrupt polls one `evaluate` may take; QuickJS polls about every 10,000 branches and calls.
   * Default 500: `while (true) {}` stops after about 35 ms in Node; a filter over 10,000 items
   * takes 2-12 polls.
   */
  stepBudget?: number;
  /** Compiled functions kept per evaluator. Default 256. */
  compiledCacheSize?: number;
  /** The compiled QuickJS wasm, required in workerd (see `quickjs-module.ts`). */
  wasmModule?: WebAssembly.Module;
  /**
   * Read plain property paths (`inputs.n`) straight from the bindings, without the sandbox
   * (`path-shortcut.ts`). Default true; false sends everything through QuickJS (tests compare).
   */
  pathShortcut?: boolean;
}

/** The largest result an expression may return: 1 MiB of JSON (UTF-8). A larger one is `expression.result_too_large`. */
export const MAX_RESULT_BYTES = 1024 * 1024;

/**
 * The ceiling of both stack options. The defaults are far lower: each byte of QuickJS stack costs
 * up to about 25 bytes of host stack (the parser) and 12 (running code), and V8 gives about 1 MB
 * in Node and workerd (measurements: docs/decisions/0001-expression-sandbox.md).
 */
export const MAX_STACK_SIZE_BYTES = 256 * 1024;

export const DEFAULT_EVALUATOR_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryLimitBytes: 16 * 1024 * 1024,
  maxStackSizeBytes: 24 * 1024,
  compileStackSizeBytes: 12 * 1024,
  maxResultBytes: MAX_RESULT_BYTES,
  stepBudget: 500,
  compiledCacheSize: 256,
});

/** The smallest memory limit accepted (a context with the prelude needs less than this). */
export const MIN_MEMORY_LIMIT_BYTES = 64 * 1024;

/** Creates a QuickJS evaluator. The wasm module is loaded once per process and shared. */
export async function createEvaluator(options: EvaluatorOptions = {}): Promise<Evaluator> {
  const limits = resolveLimits(options);
  const module = await loadQuickJS(options.wasmModule);
  return new QuickJSEvaluator(module, options.wasmModule, limits, options.pathShortcut ?? true);
}

function resolveLimits(options: EvaluatorOptions): SandboxLimits {
  const defaults = DEFAULT_EVALUATOR_LIMITS;
  const limits: SandboxLimits = {
    memoryLimitBytes: options.memoryLimitBytes ?? defaults.memoryLimitBytes,
    maxStackSizeBytes: Math.min(
      options.maxStackSizeBytes ?? defaults.maxStackSizeBytes,
      MAX_STACK_SIZE_BYTES,
    ),
    compileStackSizeBytes: Math.min(
      options.compileStackSizeBytes ?? defaults.compileStackSizeBytes,
      MAX_STACK_SIZE_BYTES,
    ),
    maxResultBytes: options.maxResultBytes ?? defaults.maxResultBytes,
    stepBudget: options.stepBudget ?? defaults.stepBudget,
    compiledCacheSize: options.compiledCacheSize ?? defaults.compiledCacheSize,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  // below this QuickJS cannot even build a context, and a failed build aborts the wasm module
  if (limits.memoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new RangeError(`memoryLimitBytes must be at least ${MIN_MEMORY_LIMIT_BYTES}`);
  }
  return limits;
}

class QuickJSEvaluator implements Evaluator, SandboxHolder {
  /** The module this evaluator runs in; `undefined` once it was discarded, until `ready()` replaces it. */
  #module: QuickJSWASMModule | undefined;
  #stopListening: () => void = () => undefined;
  readonly #wasmModule: WebAssembly.Module | undefined;
  readonly #limits: SandboxLimits;
  readonly #pathShortcut: boolean;
  /** Built on the first evaluation the path shortcut cannot answer. */
  #sandbox: QuickJSSandbox | undefined;
  /** A fresh module being loaded after the current one was discarded. */
  #replacement: Promise<void> | undefined;
  #disposed = false;
  /** polls of the sandboxes dropped or abandoned so far (`pollsUsed` adds the current one's) */
  #pollsOfDropped = 0;
  /** polls spent compiling again, after an eviction, what the freed sandbox had cached (not the run's work) */
  #pollsOfRecompiles = 0;
  /** keys the freed sandboxes had compiled and cached (at most `compiledCacheSize`, oldest first) */
  readonly #evictedKeys = new Set<string>();

  constructor(
    module: QuickJSWASMModule,
    wasmModule: WebAssembly.Module | undefined,
    limits: SandboxLimits,
    pathShortcut: boolean,
  ) {
    this.#wasmModule = wasmModule;
    this.#limits = limits;
    this.#pathShortcut = pathShortcut;
    this.#adopt(module);
  }

  /** Runs in `module` from now on, and lets go of it (and its sandbox) as soon as it is discarded. */
  #adopt(module: QuickJSWASMModule): void {
    this.#module = module;
    this.#stopListening = onDiscard(module, () => this.#letGo());
  }

  /** The module failed (here or in another evaluator): abandon the sandbox unfreed and drop the module. */
  #letGo(): void {
    this.#pollsOfDropped += this.#sandbox?.polls ?? 0;
    this.#sandbox = undefined;
    forgetSandbox(this);
    this.#module = undefined;
    this.#stopListening = () => undefined; // the old canceller holds the module
  }

  evaluate(source: string, bindings: Readonly<Record<string, unknown>>): unknown {
    this.#assertUsable();
    if (this.#pathShortcut) {
      const read = readPathShortcut(source, bindings, this.#limits.maxResultBytes);
      if (read !== undefined) return read.value;
    }
    const analysis = analyzeSource(source);
    const names = analysis.names.filter((name) => Object.hasOwn(bindings, name));
    const args = encodeArguments(analysis, names, bindings);
    try {
      const sandbox = this.#usableSandbox();
      const fn = this.#compiled(sandbox, analysis, names);
      return this.#unwrap(sandbox.call(fn, args.json, args.mask), analysis.source);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw this.#sandboxFailed(error);
    }
  }

  /**
   * The analysis and the compile of `evaluate`, with no parameters (a binding's name as a
   * parameter can only add a conflict, never remove one), in QuickJS's compile-only mode: no
   * code runs, no function is created. A plain property path compiles by construction.
   */
  check(source: string): void {
    this.#assertUsable();
    const analysis = analyzeSource(source);
    if (this.#pathShortcut && isPlainPath(source)) return;
    try {
      const sandbox = this.#usableSandbox();
      this.#compileEither(sandbox, analysis, [], (code) => sandbox.compileOnly(code));
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw this.#sandboxFailed(error);
    }
  }

  async ready(): Promise<void> {
    if (this.#disposed || (this.#module !== undefined && !isDiscarded(this.#module))) return;
    this.#letGo();
    this.#replacement ??= loadQuickJS(this.#wasmModule).then(
      (module) => {
        this.#adopt(module);
        this.#replacement = undefined;
      },
      (error: unknown) => {
        this.#replacement = undefined;
        throw error;
      },
    );
    await this.#replacement;
  }

  get pollsUsed(): number {
    return this.#pollsOfDropped + (this.#sandbox?.polls ?? 0) - this.#pollsOfRecompiles;
  }

  /**
   * Frees the sandbox to make room for another evaluator's (`live-sandboxes.ts`); the next call
   * builds a fresh one. Called only between calls: evaluation is synchronous and re-enters nothing.
   */
  evictSandbox(): void {
    const sandbox = this.#sandbox;
    if (sandbox === undefined) return;
    for (const key of sandbox.cachedKeys()) {
      this.#evictedKeys.delete(key);
      this.#evictedKeys.add(key);
    }
    for (const key of this.#evictedKeys) {
      if (this.#evictedKeys.size <= this.#limits.compiledCacheSize) break;
      this.#evictedKeys.delete(key);
    }
    this.#dropSandbox();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopListening();
    this.#dropSandbox();
  }

  #assertUsable(): void {
    if (this.#disposed) throw new EngineError("expression.disposed", "the evaluator was disposed");
    if (this.#module === undefined || isDiscarded(this.#module)) {
      this.ready().catch(() => undefined);
      throw new EngineError(
        "expression.runtime",
        "the expression sandbox is being rebuilt after its WebAssembly module failed; try again",
        { retryable: true },
      );
    }
  }

  /** A sandbox that can take the next call: a fresh one when the last failed badly. */
  #usableSandbox(): QuickJSSandbox {
    if (this.#sandbox?.broken === true) this.#dropSandbox();
    const module = this.#module;
    if (module === undefined)
      throw new EngineError("expression.runtime", "the expression sandbox is being rebuilt; try again", {
        retryable: true,
      });
    if (this.#sandbox === undefined) this.#sandbox = this.#buildSandbox(module);
    markSandboxUsed(this);
    return this.#sandbox;
  }

  /**
   * A new sandbox, after freeing the least recently used ones past the isolate's cap. When the
   * module's memory is full anyway (QuickJS's out-of-memory in the prelude: sandboxes that grew
   * large), frees half of the live ones and tries once more, so a burst is slower, not failing.
   */
  #buildSandbox(module: QuickJSWASMModule): QuickJSSandbox {
    makeRoomForSandbox(this);
    this.#assertModuleKept(module);
    try {
      return new QuickJSSandbox(module, this.#limits, fuelTank(module));
    } catch (error) {
      if (isDiscarded(module) || makeRoomForSandbox(this, Math.floor(liveSandboxCount() / 2)) === 0)
        throw error;
    }
    this.#assertModuleKept(module);
    return new QuickJSSandbox(module, this.#limits, fuelTank(module));
  }

  /** Freeing another evaluator's sandbox can fail and discard the module: then this call cannot run. */
  #assertModuleKept(module: QuickJSWASMModule): void {
    if (!isDiscarded(module)) return;
    throw new EngineError("expression.runtime", "the expression sandbox is being rebuilt; try again", {
      retryable: true,
    });
  }

  /**
   * Something other than JavaScript failed inside QuickJS: a WebAssembly trap (out of fuel: the call
   * overran its budget between two interrupt polls, `expression.budget_exceeded`), or the host's
   * own stack overflowing in the middle of QuickJS's C code. Either may leave the module's memory
   * inconsistent, so the module is discarded (for every evaluator of the isolate), the sandbox is
   * abandoned without being freed (freeing it could abort again), and the next call, after
   * `ready()`, runs in a fresh module.
   */
  #sandboxFailed(error: unknown): EngineError {
    const outOfFuel = this.#sandbox?.outOfFuel === true;
    const resultTooBig = this.#sandbox?.trappedSerializing === true;
    this.#pollsOfDropped += this.#sandbox?.polls ?? 0;
    this.#sandbox = undefined;
    forgetSandbox(this);
    if (this.#module !== undefined) discardQuickJS(this.#module);
    this.ready().catch(() => undefined);
    // out of fuel, or QuickJS's C code recursing past the host's stack (a long chain of iterator
    // helpers): both are work or depth the expression asked for
    if (resultTooBig) return resultTooLarge(this.#limits.maxResultBytes);
    if (outOfFuel || isHostStackOverflow(error)) return budgetExceeded(this.#limits.stepBudget);
    return new EngineError("expression.runtime", `the expression sandbox failed: ${String(error)}`, {
      cause: error,
      retryable: true,
    });
  }

  #dropSandbox(): void {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    forgetSandbox(this);
    this.#pollsOfDropped += sandbox?.polls ?? 0;
    const module = this.#module;
    if (sandbox === undefined || module === undefined || isDiscarded(module)) return;
    try {
      sandbox.dispose();
    } catch {
      discardQuickJS(module);
    }
  }

  /** The compiled function for this source and these parameter names, compiling on a miss. */
  #compiled(sandbox: QuickJSSandbox, analysis: SourceAnalysis, names: readonly string[]): QuickJSHandle {
    const key = `${names.join(",")}\n${analysis.source}`;
    const cached = sandbox.cached(key);
    if (cached !== undefined) return cached;
    const compile = () => this.#compileEither(sandbox, analysis, names, (code) => sandbox.compile(key, code));
    if (!this.#evictedKeys.delete(key)) return compile();
    // a freed sandbox had this compiled: compiling it again is the platform's work, not the caller's
    const before = sandbox.polls;
    try {
      return compile();
    } finally {
      this.#pollsOfRecompiles += sandbox.polls - before;
    }
  }

  /**
   * Compiles the preferred form, then the other one when that is a syntax error. When both fail
   * but the source compiles without the wrapper's proof (`source-wrapper.ts`), the source closes
   * its wrapper: refused as such (that compile runs nothing).
   */
  #compileEither<T>(
    sandbox: QuickJSSandbox,
    analysis: SourceAnalysis,
    names: readonly string[],
    compile: (code: string) => SandboxResult<T>,
  ): T {
    const forms: SourceForm[] =
      analysis.preferredForm === "expression" ? ["expression", "statements"] : ["statements", "expression"];
    const first = compile(
      wrapSource(bodyOf(analysis, forms[0] as SourceForm), names, forms[0] as SourceForm),
    );
    if (first.ok) return first.value;
    if (first.thrown.name !== "SyntaxError" || first.budgetExhausted)
      return this.#unwrap(first, analysis.source);
    const second = compile(
      wrapSource(bodyOf(analysis, forms[1] as SourceForm), names, forms[1] as SourceForm),
    );
    if (second.ok) return second.value;
    for (const form of forms) {
      if (sandbox.compileOnly(wrapSourceUnproven(bodyOf(analysis, form), names, form)).ok) {
        throw new EngineError(
          "expression.syntax",
          "SyntaxError: the expression closes the function it is compiled into (a `/` read as a regular expression, or a bracket, ends it early)",
          { line: 1 },
        );
      }
    }
    const statementsFailure = forms[0] === "statements" ? first : second;
    const preferredFailure = analysis.separatesStatements ? statementsFailure : first;
    return this.#unwrap(preferredFailure, analysis.source);
  }

  #unwrap<T>(result: SandboxResult<T>, source: string): T {
    if (result.ok) return result.value;
    throw toEngineError(result.thrown, {
      phase: result.phase,
      budgetExhausted: result.budgetExhausted,
      stepBudget: this.#limits.stepBudget,
      maxResultBytes: this.#limits.maxResultBytes,
      filename: SANDBOX_FILENAME,
      lineOffset: WRAPPER_LINES,
      sourceLines: countLines(source),
    });
  }
}

/** The text a form wraps: an expression without its trailing semicolons, or the whole body. */
function bodyOf(analysis: SourceAnalysis, form: SourceForm): string {
  return form === "expression" ? analysis.expressionText : analysis.source;
}

function countLines(source: string): number {
  return source.split(/\r\n|[\n\r\u2028\u2029]/).length;
}

/** The host's own stack overflowing inside QuickJS's C code (V8 throws a `RangeError`). */
function isHostStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
