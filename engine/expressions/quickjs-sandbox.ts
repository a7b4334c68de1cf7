/**
 * @module
 * One QuickJS runtime and context with the limits applied and the prelude run: the isolation
 * boundary. It compiles wrapped sources into function handles (cached, least recently used
 * first out), calls them with arguments passed as one JSON string, and reads the result back
 * as plain data. Work is bounded by counting interrupt-handler polls (QuickJS polls about every
 * 10,000 bytecode branches and calls), never by wall time, because deployed Workers freeze
 * `Date.now()` during synchronous code. It reports failures as plain descriptions; mapping them
 * to error codes is `sandbox-errors.ts`'s job. It must never create a host function inside the
 * context, put anything on the context's global object, or return a handle to its caller.
 */

import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { BoundedCache } from "./bounded-cache.ts";
import { type EvaluationPhase, isOutOfMemory, type ThrownValue } from "./sandbox-errors.ts";
import { PRELUDE_SOURCE } from "./sandbox-prelude.ts";

export interface SandboxLimits {
  /** Bytes QuickJS may allocate. */
  memoryLimitBytes: number;
  /** Bytes of stack QuickJS may use; more than 256 KiB can overflow the host stack. */
  maxStackSizeBytes: number;
  /** Interrupt-handler polls allowed per compile or call. */
  stepBudget: number;
  /** Compiled functions kept per sandbox. */
  compiledCacheSize: number;
}

export type SandboxResult<T> =
  | { ok: true; value: T }
  | { ok: false; thrown: ThrownValue; phase: EvaluationPhase; budgetExhausted: boolean };

/** The file name compiled code carries; error stacks name it. */
export const SANDBOX_FILENAME = "expression.js";

/** Polls allowed while reading a thrown value back, after the main budget ran out. */
const DESCRIBE_BUDGET = 20;

export class QuickJSSandbox {
  static #built = 0;

  /** Sandboxes built in this process so far (tests and benchmarks read it; nothing else should). */
  static get built(): number {
    return QuickJSSandbox.#built;
  }
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  readonly #run: QuickJSHandle;
  readonly #toJson: QuickJSHandle;
  readonly #describe: QuickJSHandle;
  readonly #compiled: BoundedCache<string, QuickJSHandle>;
  readonly #stepBudget: number;
  #lastArguments: { text: string; handle: QuickJSHandle } | undefined;
  #stepsLeft = 0;
  #polls = 0;
  #exhausted = false;
  #broken = false;
  #disposed = false;

  constructor(module: QuickJSWASMModule, limits: SandboxLimits) {
    QuickJSSandbox.#built += 1;
    this.#stepBudget = limits.stepBudget;
    this.#runtime = module.newRuntime();
    this.#runtime.setMemoryLimit(limits.memoryLimitBytes);
    this.#runtime.setMaxStackSize(limits.maxStackSizeBytes);
    this.#runtime.setInterruptHandler(() => this.#poll());
    let context: QuickJSContext | undefined;
    try {
      context = this.#runtime.newContext();
      // The prelude is our own code: it runs without a step budget.
      this.#stepsLeft = Number.POSITIVE_INFINITY;
      const helpers = context.evalCode(PRELUDE_SOURCE, "prelude.js", { type: "global", strict: true });
      if (helpers.error !== undefined) {
        const thrown = context.dump(helpers.error) as unknown;
        helpers.error.dispose();
        throw new Error(`the sandbox prelude failed: ${JSON.stringify(thrown)}`);
      }
      this.#run = context.getProp(helpers.value, "run");
      this.#toJson = context.getProp(helpers.value, "toJson");
      this.#describe = context.getProp(helpers.value, "describe");
      helpers.value.dispose();
    } catch (error) {
      // Every handle must be gone before the runtime is freed, or QuickJS aborts the whole module.
      context?.dispose();
      this.#runtime.dispose();
      throw error;
    }
    this.#context = context;
    this.#compiled = new BoundedCache(limits.compiledCacheSize, (handle) => {
      if (handle.alive) handle.dispose();
    });
  }

  /** Interrupt polls taken since this sandbox was built (the prelude's included); only grows. */
  get polls(): number {
    return this.#polls;
  }

  /** True after a failure that may have left the context unusable (memory, pending jobs). */
  get broken(): boolean {
    return this.#broken;
  }

  /** A function compiled earlier under `key`, if still cached. */
  cached(key: string): QuickJSHandle | undefined {
    return this.#compiled.get(key);
  }

  /** Compiles `code`, which must evaluate to a function, and caches it under `key`. */
  compile(key: string, code: string): SandboxResult<QuickJSHandle> {
    const context = this.#context;
    this.#startBudget();
    const result = context.evalCode(code, SANDBOX_FILENAME, { type: "global", strict: true });
    if (result.error !== undefined) return this.#failure(result.error, "compile");
    if (context.typeof(result.value) !== "function") {
      result.value.dispose();
      return this.#thrown("SyntaxError", "the source does not compile to a function", "compile");
    }
    this.#compiled.set(key, result.value);
    return { ok: true, value: result.value };
  }

  /** Calls `fn` with `[this, ...args]` decoded from `argsJson`; `mask` marks `undefined` entries. */
  call(fn: QuickJSHandle, argsJson: string, mask: string | undefined): SandboxResult<unknown> {
    const context = this.#context;
    this.#startBudget();
    const json = this.#argumentsString(argsJson);
    const maskHandle = mask === undefined ? context.undefined : context.newString(mask);
    try {
      const result = context.callFunction(this.#run, context.undefined, fn, json, maskHandle);
      if (result.error !== undefined) return this.#failure(result.error, "run");
      return this.#read(result.value);
    } finally {
      maskHandle.dispose();
      if (this.#runtime.hasPendingJob()) this.#broken = true;
    }
  }

  /**
   * The arguments as a string inside the context. The last one is kept: a step's templates and
   * conditions often send the same bindings again, and copying a string in costs about 10 ns a
   * character. (A string is immutable, so reusing it cannot carry anything between calls.)
   */
  #argumentsString(argsJson: string): QuickJSHandle {
    if (this.#lastArguments?.text === argsJson) return this.#lastArguments.handle;
    this.#lastArguments?.handle.dispose();
    this.#lastArguments = undefined;
    const handle = this.#context.newString(argsJson);
    this.#lastArguments = { text: argsJson, handle };
    return handle;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#compiled.clear();
    this.#lastArguments?.handle.dispose();
    this.#lastArguments = undefined;
    for (const handle of [this.#run, this.#toJson, this.#describe]) if (handle.alive) handle.dispose();
    this.#context.dispose();
    this.#runtime.dispose();
  }

  #poll(): boolean {
    this.#polls++;
    this.#stepsLeft--;
    if (this.#stepsLeft >= 0) return false;
    this.#exhausted = true;
    return true;
  }

  #startBudget(): void {
    this.#stepsLeft = this.#stepBudget;
    this.#exhausted = false;
  }

  /** Copies the result out as plain data and disposes its handle. */
  #read(handle: QuickJSHandle): SandboxResult<unknown> {
    const context = this.#context;
    try {
      const type = context.typeof(handle);
      switch (type) {
        case "undefined":
          return { ok: true, value: undefined };
        case "string":
          return { ok: true, value: context.getString(handle) };
        case "number":
          return { ok: true, value: context.getNumber(handle) };
        case "boolean":
          return { ok: true, value: context.sameValue(handle, context.true) };
        case "object": {
          const json = context.callFunction(this.#toJson, context.undefined, handle);
          if (json.error !== undefined) return this.#failure(json.error, "run");
          const text = context.typeof(json.value) === "string" ? context.getString(json.value) : undefined;
          json.value.dispose();
          return { ok: true, value: text === undefined ? undefined : JSON.parse(text) };
        }
        default:
          return this.#thrown("TypeError", `an expression returned a ${type}; it must return data`, "run");
      }
    } finally {
      handle.dispose();
    }
  }

  #failure(error: QuickJSHandle, phase: EvaluationPhase): SandboxResult<never> {
    const budgetExhausted = this.#exhausted;
    const thrown = this.#describeThrown(error);
    error.dispose();
    if (isOutOfMemory(thrown)) this.#broken = true;
    return { ok: false, thrown, phase, budgetExhausted };
  }

  #describeThrown(error: QuickJSHandle): ThrownValue {
    const context = this.#context;
    this.#stepsLeft = DESCRIBE_BUDGET;
    const described = context.callFunction(this.#describe, context.undefined, error);
    if (described.error !== undefined) {
      described.error.dispose();
      return { name: "", message: "uncaught exception that cannot be described", stack: "" };
    }
    const text = context.getString(described.value);
    described.value.dispose();
    return JSON.parse(text) as ThrownValue;
  }

  #thrown(name: string, message: string, phase: EvaluationPhase): SandboxResult<never> {
    return { ok: false, thrown: { name, message, stack: "" }, phase, budgetExhausted: false };
  }
}
