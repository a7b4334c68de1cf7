/**
 * @module
 * The QuickJS-backed `Evaluator` (decision record: docs/decisions/0001-expression-sandbox.md).
 * One evaluator owns one sandbox (runtime + context), built on first need; make one per run and
 * never share it across tenants (the worker's compile-only checker, which runs nothing, is the one
 * exception: worker/mcp/expression-checker.ts). A plain property path (`inputs.n`) is read from
 * the bindings without the sandbox (`path-shortcut.ts`); for anything else `evaluate` analyses the
 * source (forbidden names, brackets, free names), compiles it once into a strict-mode function
 * whose parameters are the binding names it reads (an expression, or a statement body with
 * `return`), copies just those bindings in as JSON, calls it under the step budget, and copies
 * the result out as JSON. `check` runs the same analysis and compile and stops there: the
 * compiled function is never called. A binding named `this` becomes the receiver, so
 * `this.counter` works. After a memory failure (or when async
 * code left jobs queued) the sandbox is rebuilt before the next call.
 * It must not hand any host object to the sandbox or any sandbox handle to the caller.
 */

import type { QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten-core";
import { EngineError } from "../errors.ts";
import { encodeArguments } from "./binding-transfer.ts";
import type { Evaluator } from "./evaluator.ts";
import { isPlainPath, readPathShortcut } from "./path-shortcut.ts";
import { discardQuickJS, loadQuickJS } from "./quickjs-module.ts";
import {
  QuickJSSandbox,
  SANDBOX_FILENAME,
  type SandboxLimits,
  type SandboxResult,
} from "./quickjs-sandbox.ts";
import { toEngineError } from "./sandbox-errors.ts";
import { analyzeSource, type SourceAnalysis, type SourceForm } from "./source-analysis.ts";

export interface EvaluatorOptions {
  /** Bytes the sandbox may allocate. Default 16 MiB. */
  memoryLimitBytes?: number;
  /** Sandbox stack in bytes. Default and maximum 256 KiB (deeper overflows the host stack). */
  maxStackSizeBytes?: number;
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

export const DEFAULT_EVALUATOR_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryLimitBytes: 16 * 1024 * 1024,
  maxStackSizeBytes: 256 * 1024,
  stepBudget: 500,
  compiledCacheSize: 256,
});

/** The smallest memory limit accepted (a context with the prelude needs less than this). */
export const MIN_MEMORY_LIMIT_BYTES = 64 * 1024;

/** Creates a QuickJS evaluator. The wasm module is loaded once per process and shared. */
export async function createEvaluator(options: EvaluatorOptions = {}): Promise<Evaluator> {
  const module = await loadQuickJS(options.wasmModule);
  return new QuickJSEvaluator(module, resolveLimits(options), options.pathShortcut ?? true);
}

function resolveLimits(options: EvaluatorOptions): SandboxLimits {
  const limits: SandboxLimits = {
    memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_EVALUATOR_LIMITS.memoryLimitBytes,
    maxStackSizeBytes: Math.min(
      options.maxStackSizeBytes ?? DEFAULT_EVALUATOR_LIMITS.maxStackSizeBytes,
      DEFAULT_EVALUATOR_LIMITS.maxStackSizeBytes,
    ),
    stepBudget: options.stepBudget ?? DEFAULT_EVALUATOR_LIMITS.stepBudget,
    compiledCacheSize: options.compiledCacheSize ?? DEFAULT_EVALUATOR_LIMITS.compiledCacheSize,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  // below this QuickJS cannot even build a context, and a failed build aborts the wasm module
  if (limits.memoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new RangeError(`memoryLimitBytes must be at least ${MIN_MEMORY_LIMIT_BYTES}`);
  }
  return limits;
}

/** The wrapper puts the source on its own line, so positions shift by one line. */
const WRAPPER_LINES = 1;

class QuickJSEvaluator implements Evaluator {
  readonly #module: QuickJSWASMModule;
  readonly #limits: SandboxLimits;
  readonly #pathShortcut: boolean;
  /** Built on the first evaluation the path shortcut cannot answer. */
  #sandbox: QuickJSSandbox | undefined;
  #disposed = false;
  #moduleFailed = false;
  /** polls of the sandboxes dropped so far (`pollsUsed` adds the current one's) */
  #pollsOfDropped = 0;

  constructor(module: QuickJSWASMModule, limits: SandboxLimits, pathShortcut: boolean) {
    this.#module = module;
    this.#limits = limits;
    this.#pathShortcut = pathShortcut;
  }

  evaluate(source: string, bindings: Readonly<Record<string, unknown>>): unknown {
    this.#assertUsable();
    if (this.#pathShortcut) {
      const read = readPathShortcut(source, bindings);
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
   * parameter can only add a conflict, never remove one); the compiled wrapper is created, and
   * cached like any other, but never called. A plain property path compiles by construction.
   */
  check(source: string): void {
    this.#assertUsable();
    const analysis = analyzeSource(source);
    if (this.#pathShortcut && isPlainPath(source)) return;
    try {
      this.#compiled(this.#usableSandbox(), analysis, []);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw this.#sandboxFailed(error);
    }
  }

  get pollsUsed(): number {
    return this.#pollsOfDropped + (this.#sandbox?.polls ?? 0);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#dropSandbox();
  }

  #assertUsable(): void {
    if (this.#disposed) throw new EngineError("expression.disposed", "the evaluator was disposed");
    if (this.#moduleFailed) {
      throw new EngineError(
        "expression.runtime",
        "the expression sandbox's WebAssembly module failed; create a new evaluator",
        { retryable: true },
      );
    }
  }

  /** A sandbox that can take the next call: a fresh one when the last failed badly. */
  #usableSandbox(): QuickJSSandbox {
    if (this.#sandbox?.broken === true) this.#dropSandbox();
    this.#sandbox ??= new QuickJSSandbox(this.#module, this.#limits);
    return this.#sandbox;
  }

  /**
   * QuickJS itself failed (a WebAssembly trap, a misused handle): the context is dropped. After a
   * trap the whole module is unusable, so it is discarded and this evaluator stays failed.
   */
  #sandboxFailed(error: unknown): EngineError {
    if (isWasmTrap(error)) {
      this.#moduleFailed = true;
      this.#pollsOfDropped += this.#sandbox?.polls ?? 0;
      this.#sandbox = undefined;
      discardQuickJS(this.#module);
    } else {
      this.#dropSandbox();
    }
    return new EngineError("expression.runtime", `the expression sandbox failed: ${String(error)}`, {
      cause: error,
      retryable: true,
    });
  }

  #dropSandbox(): void {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    this.#pollsOfDropped += sandbox?.polls ?? 0;
    try {
      sandbox?.dispose();
    } catch (error) {
      if (isWasmTrap(error)) {
        this.#moduleFailed = true;
        discardQuickJS(this.#module);
      }
    }
  }

  /** The compiled function for this source and these parameter names, compiling on a miss. */
  #compiled(sandbox: QuickJSSandbox, analysis: SourceAnalysis, names: readonly string[]): QuickJSHandle {
    const key = `${names.join(",")}\n${analysis.source}`;
    const cached = sandbox.cached(key);
    if (cached !== undefined) return cached;
    const forms: SourceForm[] =
      analysis.preferredForm === "expression" ? ["expression", "statements"] : ["statements", "expression"];
    const first = sandbox.compile(key, wrap(analysis, names, forms[0] as SourceForm));
    if (first.ok) return first.value;
    if (first.thrown.name !== "SyntaxError" || first.budgetExhausted)
      return this.#unwrap(first, analysis.source);
    const second = sandbox.compile(key, wrap(analysis, names, forms[1] as SourceForm));
    if (second.ok) return second.value;
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
      filename: SANDBOX_FILENAME,
      lineOffset: WRAPPER_LINES,
      sourceLines: countLines(source),
    });
  }
}

/** Wraps the source in a strict function; balanced brackets (checked by the analysis) keep it inside. */
function wrap(analysis: SourceAnalysis, names: readonly string[], form: SourceForm): string {
  const parameters = names.join(", ");
  return form === "expression"
    ? `(function (${parameters}) { "use strict"; return (\n${analysis.expressionText}\n); })`
    : `(function (${parameters}) { "use strict";\n${analysis.source}\n})`;
}

function countLines(source: string): number {
  return source.split(/\r\n|[\n\r\u2028\u2029]/).length;
}

/** A WebAssembly trap or an Emscripten abort: the module's instance can no longer be trusted. */
function isWasmTrap(error: unknown): boolean {
  return error instanceof Error && error.name === "RuntimeError";
}
