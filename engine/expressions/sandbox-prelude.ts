/**
 * @module
 * The JavaScript that runs once inside every fresh QuickJS context, before any expression.
 * It creates three helpers that only the host holds (they are never put on the global object)
 * and then hardens the context:
 * - every function's `constructor` (plain, async, generator, async generator) becomes a
 *   function that throws, so `[].filter['constr' + 'uctor']('...')` cannot generate code;
 * - `eval`, `Function`, `globalThis`, `WeakRef`, `FinalizationRegistry` and `Proxy` are deleted
 *   (expressions work on JSON data; a Proxy only adds code behind every property read);
 * - the global object and every intrinsic reachable from it (constructors, prototypes,
 *   iterator prototypes, accessors) are frozen, so one evaluation cannot change what the
 *   next one sees.
 * It must not define any global name or keep any reference to the host.
 */

/** The message of the error thrown by a poisoned `constructor`; the host maps it to `expression.forbidden`. */
export const CODE_GENERATION_MESSAGE = "code generation is not allowed in expressions";

/** The message of the error a result larger than the limit produces; the host maps it to `expression.result_too_large`. */
export const RESULT_TOO_LARGE_MESSAGE = "the expression's result is larger than the limit";

/**
 * The longest name, message or stack of a thrown value that leaves the sandbox (UTF-16 units):
 * an error is a result too, and its message ends up in a run's state and events.
 */
export const MAX_DESCRIPTION_LENGTH = 4096;

/** The error a Promise result produces. */
export const PROMISE_RESULT_MESSAGE = "an expression returned a Promise; asynchronous code is not supported";

/**
 * The prelude for a sandbox whose results may be at most `maxResultLength` UTF-16 units long (a
 * string result itself, or the JSON text of any other). It evaluates to
 * `{ decode, run, toJson, describe }`:
 * - `decode(json, mask)`: parses `json` (`[this, ...args]`) and sets the entries whose `mask`
 *   character is `"1"` to `undefined` (the host's data: its work is not charged to the expression);
 * - `run(fn, values)`: calls `fn` with them; a string result past the limit throws a
 *   `RangeError` with `RESULT_TOO_LARGE_MESSAGE` before it can leave the sandbox;
 * - `toJson(value)`: `JSON.stringify(value)`, refusing Promises and texts past the limit;
 * - `describe(error)`: a JSON string `{name, message, stack, isNull?}` for any thrown value
 *   (QuickJS throws `null` when it runs out of memory while building the error), each text cut
 *   to `MAX_DESCRIPTION_LENGTH` units.
 */
export function preludeSource(maxResultLength: number): string {
  if (!Number.isSafeInteger(maxResultLength) || maxResultLength < 1) {
    throw new RangeError("maxResultLength must be a positive integer");
  }
  return `(() => {
  "use strict";
  const maxResultLength = ${maxResultLength};
  const global = globalThis;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const apply = Reflect.apply;
  const PromiseIntrinsic = Promise;
  const ErrorIntrinsic = Error;
  const TypeErrorIntrinsic = TypeError;
  const RangeErrorIntrinsic = RangeError;
  const StringIntrinsic = String;
  const getPrototypeOf = Object.getPrototypeOf;
  const defineProperty = Object.defineProperty;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys;
  const freeze = Object.freeze;
  const arraySlice = Array.prototype.slice;
  const stringSlice = String.prototype.slice;

  const decode = function (json, mask) {
    const values = parse(json);
    if (mask !== undefined) {
      for (let i = 0; i < mask.length; i++) if (mask[i] === "1") values[i] = undefined;
    }
    return values;
  };
  const run = function (fn, values) {
    const result = apply(fn, values[0], apply(arraySlice, values, [1]));
    if (typeof result === "string" && result.length > maxResultLength) tooLarge();
    return result;
  };
  const tooLarge = function () {
    throw new RangeErrorIntrinsic(${JSON.stringify(RESULT_TOO_LARGE_MESSAGE)});
  };
  const toJson = function (value) {
    if (value instanceof PromiseIntrinsic) throw new TypeErrorIntrinsic(${JSON.stringify(PROMISE_RESULT_MESSAGE)});
    const text = stringify(value);
    if (typeof text === "string" && text.length > maxResultLength) tooLarge();
    return text;
  };
  const clip = function (text) {
    return text.length > ${MAX_DESCRIPTION_LENGTH} ? apply(stringSlice, text, [0, ${MAX_DESCRIPTION_LENGTH}]) + "…" : text;
  };
  const describe = function (error) {
    try {
      if (error instanceof ErrorIntrinsic) {
        const stack = error.stack;
        return stringify({
          name: clip(StringIntrinsic(error.name)),
          message: clip(StringIntrinsic(error.message)),
          stack: typeof stack === "string" ? clip(stack) : "",
        });
      }
      if (error === null) return stringify({ name: "", message: "uncaught null", stack: "", isNull: true });
      return stringify({ name: "", message: clip("uncaught " + StringIntrinsic(error)), stack: "" });
    } catch {
      return stringify({ name: "", message: "uncaught exception that cannot be printed", stack: "" });
    }
  };

  const poison = function () {
    throw new TypeErrorIntrinsic(${JSON.stringify(CODE_GENERATION_MESSAGE)});
  };
  const functionPrototypes = [
    Function.prototype,
    getPrototypeOf(async function () {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
  ];
  for (const prototype of functionPrototypes) {
    defineProperty(prototype, "constructor", { value: poison, writable: false, enumerable: false, configurable: false });
  }

  const roots = [
    global,
    poison,
    ...functionPrototypes,
    [][Symbol.iterator](),
    new Map()[Symbol.iterator](),
    new Set()[Symbol.iterator](),
    ""[Symbol.iterator](),
    "a".matchAll(/a/g),
    (function* () {})(),
    (async function* () {})(),
    [].values().map((x) => x),
    Iterator.from({ next() { return { done: true }; } }),
    Iterator.concat([]),
  ];
  for (const name of ["eval", "Function", "globalThis", "WeakRef", "FinalizationRegistry", "Proxy"]) delete global[name];

  const seen = new Set();
  const pending = roots;
  while (pending.length > 0) {
    const value = pending.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    freeze(value);
    pending.push(getPrototypeOf(value));
    for (const key of ownKeys(value)) {
      const descriptor = getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      if ("value" in descriptor) pending.push(descriptor.value);
      else pending.push(descriptor.get, descriptor.set);
    }
  }
  return { decode, run, toJson, describe };
})()`;
}
