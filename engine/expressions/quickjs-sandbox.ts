/**
 * @module
 * One QuickJS runtime and context with the limits applied and the prelude run: the isolation
 * boundary. It compiles wrapped sources into function handles (cached, least recently used
 * first out) or, for checks, in compile-only mode (nothing runs, nothing is kept), calls them
 * with arguments passed as one JSON string, and reads the result back as plain data, at most
 * `maxResultBytes`. The QuickJS stack limit is set per phase (compiling, running) so that
 * QuickJS's own check fires before native recursion can overflow the host stack. Work is counted,
 * never timed (deployed Workers freeze `Date.now()` during synchronous code), by the module's
 * fuel (`wasm-fuel.ts`: what the WebAssembly itself did, natives included), in units of a poll
 * (`FUEL_PER_POLL`). QuickJS's interrupt handler (polled about every 10,000 bytecode branches and
 * calls) stops a call gracefully once its fuel passes the budget; when a call overruns between
 * two polls, the module traps when its fuel (1.5 times the budget) runs out, and the caller
 * discards the module (`quickjs-evaluator.ts`). It reports failures as plain descriptions; mapping them
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
import { preludeSource, RESULT_TOO_LARGE_MESSAGE } from "./sandbox-prelude.ts";
import { COMPILE_FUEL_PER_POLL, FUEL_PER_POLL, type FuelTank, HOST_FUEL, TRAP_FACTOR } from "./wasm-fuel.ts";

export interface SandboxLimits {
  /** Bytes QuickJS may allocate. */
  memoryLimitBytes: number;
  /**
   * Bytes of QuickJS stack while code runs. QuickJS measures its own (shadow) stack, and each byte
   * of it costs about 12 bytes of the host's stack in the worst native recursion (`JSON.stringify`
   * of nested arrays): keep this far below host stack / 12 (see docs/decisions/0001).
   */
  maxStackSizeBytes: number;
  /** Bytes of QuickJS stack while source is compiled: the parser costs about 25 host bytes per byte. */
  compileStackSizeBytes: number;
  /** Largest result, in UTF-8 bytes of its JSON text (a string result: of the string). */
  maxResultBytes: number;
  /** Work allowed per compile or call, in interrupt polls (fuel counts at `FUEL_PER_POLL` a poll). */
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
  readonly #decode: QuickJSHandle;
  readonly #run: QuickJSHandle;
  readonly #toJson: QuickJSHandle;
  readonly #describe: QuickJSHandle;
  readonly #compiled: BoundedCache<string, QuickJSHandle>;
  readonly #limits: SandboxLimits;
  readonly #fuel: FuelTank;
  #lastArguments: { text: string; handle: QuickJSHandle } | undefined;
  /** Work allowed to the current compile or call, in polls. */
  #budget = 0;
  #inCall = false;
  /** True while a result is being serialized (its allowance is for the largest result). */
  #serializing = false;
  /** Fuel per poll of the current phase (compiling is charged at a higher rate). */
  #fuelPerPoll = FUEL_PER_POLL;
  /** Work of the finished calls, in polls. */
  #work = 0;
  #exhausted = false;
  #broken = false;
  #disposed = false;

  constructor(module: QuickJSWASMModule, limits: SandboxLimits, fuel: FuelTank) {
    QuickJSSandbox.#built += 1;
    this.#limits = limits;
    this.#fuel = fuel;
    fuel.fill(HOST_FUEL);
    this.#runtime = module.newRuntime();
    this.#runtime.setMemoryLimit(limits.memoryLimitBytes);
    this.#runtime.setMaxStackSize(limits.maxStackSizeBytes);
    this.#runtime.setInterruptHandler(() => this.#poll());
    let context: QuickJSContext | undefined;
    try {
      context = this.#runtime.newContext();
      // The prelude is our own code: it runs without a step budget.
      this.#startBudget(Number.POSITIVE_INFINITY);
      const prelude = preludeSource(limits.maxResultBytes);
      const helpers = context.evalCode(prelude, "prelude.js", { type: "global", strict: true });
      this.#endBudget();
      // the platform's own setup is not any caller's work (a module replaced after another
      // tenant's trap must not charge this one's run)
      this.#work = 0;
      if (helpers.error !== undefined) {
        const thrown = context.dump(helpers.error) as unknown;
        helpers.error.dispose();
        throw new Error(`the sandbox prelude failed: ${JSON.stringify(thrown)}`);
      }
      this.#decode = context.getProp(helpers.value, "decode");
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

  /**
   * Work done since this sandbox was built (the prelude's excluded), in polls: each call's fuel at
   * `FUEL_PER_POLL` (compiles at `COMPILE_FUEL_PER_POLL`). Only grows.
   */
  get polls(): number {
    return this.#work + this.#callWork();
  }

  /** True when the module trapped while serializing a result: the result was too large. */
  get trappedSerializing(): boolean {
    return this.#fuel.empty && this.#serializing;
  }

  /** True when the module trapped for lack of fuel: the caller must discard it. */
  get outOfFuel(): boolean {
    return this.#fuel.empty;
  }

  /** True after a failure that may have left the context unusable (memory, pending jobs). */
  get broken(): boolean {
    return this.#broken;
  }

  /** A function compiled earlier under `key`, if still cached. */
  cached(key: string): QuickJSHandle | undefined {
    return this.#compiled.get(key);
  }

  /** The keys of the compiled functions still cached, least recently used first. */
  cachedKeys(): string[] {
    return this.#compiled.keys();
  }

  /**
   * Compiles `code`, which must evaluate to a function, and caches it under `key`. Evaluating
   * `code` must run nothing but the creation of that function: the caller proves it
   * (`source-wrapper.ts`).
   */
  compile(key: string, code: string): SandboxResult<QuickJSHandle> {
    const context = this.#context;
    this.#startBudget(this.#limits.stepBudget, COMPILE_FUEL_PER_POLL);
    this.#runtime.setMaxStackSize(this.#limits.compileStackSizeBytes);
    const result = context.evalCode(code, SANDBOX_FILENAME, { type: "global", strict: true });
    this.#runtime.setMaxStackSize(this.#limits.maxStackSizeBytes);
    this.#endBudget();
    if (result.error !== undefined) return this.#failure(result.error, "compile");
    if (context.typeof(result.value) !== "function") {
      result.value.dispose();
      return this.#thrown("SyntaxError", "the source does not compile to a function", "compile");
    }
    this.#compiled.set(key, result.value);
    return { ok: true, value: result.value };
  }

  /** Compiles `code` without running any of it (QuickJS's compile-only mode) and keeps nothing. */
  compileOnly(code: string): SandboxResult<undefined> {
    const context = this.#context;
    this.#startBudget(this.#limits.stepBudget, COMPILE_FUEL_PER_POLL);
    this.#runtime.setMaxStackSize(this.#limits.compileStackSizeBytes);
    const result = context.evalCode(code, SANDBOX_FILENAME, {
      type: "global",
      strict: true,
      compileOnly: true,
    });
    this.#runtime.setMaxStackSize(this.#limits.maxStackSizeBytes);
    this.#endBudget();
    if (result.error !== undefined) return this.#failure(result.error, "compile");
    result.value.dispose();
    return { ok: true, value: undefined };
  }

  /**
   * Calls `fn` with `[this, ...args]` decoded from `argsJson`; `mask` marks `undefined` entries.
   * Three phases, each counted as work: decoding the arguments (the host's data, not charged to
   * the expression's budget), the call (the budget), and serializing the result (an allowance for
   * a result of the largest size, `resultBudget`).
   */
  call(fn: QuickJSHandle, argsJson: string, mask: string | undefined): SandboxResult<unknown> {
    const context = this.#context;
    const json = this.#argumentsString(argsJson);
    const maskHandle = mask === undefined ? context.undefined : context.newString(mask);
    try {
      this.#startBudget(Number.POSITIVE_INFINITY);
      const values = context.callFunction(this.#decode, context.undefined, json, maskHandle);
      this.#endBudget();
      if (values.error !== undefined) return this.#failure(values.error, "run");
      this.#startBudget(this.#limits.stepBudget);
      const result = context.callFunction(this.#run, context.undefined, fn, values.value);
      this.#endBudget();
      values.value.dispose();
      if (result.error !== undefined) return this.#failure(result.error, "run");
      return this.#read(result.value);
    } finally {
      this.#endBudget();
      // after a trap nothing may run in the module again, not even a free
      if (!this.#fuel.empty) {
        maskHandle.dispose();
        if (this.#runtime.hasPendingJob()) this.#broken = true;
      }
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
    for (const handle of [this.#decode, this.#run, this.#toJson, this.#describe])
      if (handle.alive) handle.dispose();
    this.#context.dispose();
    this.#runtime.dispose();
  }

  #poll(): boolean {
    if (this.#callWork() <= this.#budget) return false;
    this.#exhausted = true;
    return true;
  }

  /** Starts counting a compile or call allowed `budget` polls of work, with fuel to match. */
  #startBudget(budget: number, fuelPerPoll = FUEL_PER_POLL): void {
    this.#budget = budget;
    this.#fuelPerPoll = fuelPerPoll;
    this.#inCall = true;
    this.#exhausted = false;
    this.#fuel.fill(Number.isFinite(budget) ? budget * fuelPerPoll * TRAP_FACTOR : HOST_FUEL);
  }

  /** Adds the finished call's work to the total; the module gets host fuel back. */
  #endBudget(): void {
    this.#work += this.#callWork();
    this.#inCall = false;
    if (!this.#fuel.empty) this.#fuel.fill(HOST_FUEL);
  }

  /**
   * The current call's work so far, in polls: its fuel at the phase's rate (none between calls,
   * even after a trap). Fuel, not the polls themselves: a poll comes every 10,000 branches
   * whichever call is running, so counting polls would charge a whole one to the call that
   * happens to cross the boundary.
   */
  #callWork(): number {
    if (!this.#inCall) return 0;
    return this.#fuel.used / this.#fuelPerPoll;
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
          return this.#sized(context.getString(handle));
        case "number":
          return { ok: true, value: context.getNumber(handle) };
        case "boolean":
          return { ok: true, value: context.sameValue(handle, context.true) };
        case "object": {
          this.#startBudget(resultBudget(this.#limits.maxResultBytes));
          this.#serializing = true;
          const json = context.callFunction(this.#toJson, context.undefined, handle);
          this.#serializing = false;
          this.#endBudget();
          if (json.error !== undefined) {
            const failure = this.#failure(json.error, "run");
            // more work than the largest result takes: the result is too large (or a getter in it spins)
            if (!failure.ok && failure.budgetExhausted)
              return this.#thrown("RangeError", RESULT_TOO_LARGE_MESSAGE, "run");
            return failure;
          }
          const text = context.typeof(json.value) === "string" ? context.getString(json.value) : undefined;
          json.value.dispose();
          if (text === undefined) return { ok: true, value: undefined };
          const sized = this.#sized(text);
          return sized.ok ? { ok: true, value: JSON.parse(text) } : sized;
        }
        default:
          return this.#thrown("TypeError", `an expression returned a ${type}; it must return data`, "run");
      }
    } finally {
      handle.dispose();
    }
  }

  /**
   * The prelude refused anything longer than `maxResultBytes` UTF-16 units before it left the
   * sandbox; a UTF-8 byte is never fewer than a unit, so only a text past a third of the limit
   * can still be too large in bytes, and only that one is counted.
   */
  #sized(text: string): SandboxResult<string> {
    const limit = this.#limits.maxResultBytes;
    if (text.length * 3 <= limit || utf8Length(text) <= limit) return { ok: true, value: text };
    return this.#thrown("RangeError", RESULT_TOO_LARGE_MESSAGE, "run");
  }

  #failure(error: QuickJSHandle, phase: EvaluationPhase): SandboxResult<never> {
    const exhausted = this.#exhausted;
    const thrown = this.#describeThrown(error);
    // a thrown value whose description spins (a looping `toString` or `stack` getter) spent its budget too
    const budgetExhausted = exhausted || this.#exhausted;
    error.dispose();
    if (isOutOfMemory(thrown)) this.#broken = true;
    return { ok: false, thrown, phase, budgetExhausted };
  }

  #describeThrown(error: QuickJSHandle): ThrownValue {
    const context = this.#context;
    this.#endBudget(); // the failed call's work is counted before describing starts its own
    this.#startBudget(DESCRIBE_BUDGET);
    const described = context.callFunction(this.#describe, context.undefined, error);
    this.#endBudget();
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

/**
 * Fuel to serialize one byte of a result (measured: about 20 for JSON of objects, 13 for a long
 * string; twice that for headroom).
 */
const RESULT_FUEL_PER_BYTE = 40;

/** Polls of work allowed to serialize a result: enough for one of the largest size, `maxResultBytes`. */
export function resultBudget(maxResultBytes: number): number {
  return Math.ceil((maxResultBytes * RESULT_FUEL_PER_BYTE) / FUEL_PER_POLL);
}

/** The UTF-8 length of `text` (a lone surrogate counts 3, as its replacement character). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
