/**
 * @module
 * The JavaScript that runs once inside every fresh QuickJS context, before any expression.
 * It creates three helpers that only the host holds (they are never put on the global object)
 * and then hardens the context:
 * - every function's `constructor` (plain, async, generator, async generator) becomes a
 *   function that throws, so `[].filter['constr' + 'uctor']('...')` cannot generate code;
 * - `eval`, `Function`, `globalThis`, `WeakRef` and `FinalizationRegistry` are deleted;
 * - the global object and every intrinsic reachable from it (constructors, prototypes,
 *   iterator prototypes, accessors) are frozen, so one evaluation cannot change what the
 *   next one sees.
 * It must not define any global name or keep any reference to the host.
 */

/** The message of the error thrown by a poisoned `constructor`; the host maps it to `expression.forbidden`. */
export const CODE_GENERATION_MESSAGE = "code generation is not allowed in expressions";

/** The message of the error a native loop over an array-like with an accessor `length` produces; the host maps it to `expression.forbidden`. */
export const UNSTABLE_LENGTH_MESSAGE =
  "an array method's receiver has a length that is a getter or an object; use a real array";

/**
 * Array elements (or array-like indices) per charging-loop iteration: one iteration of the charging
 * loop (about 46 ns in QuickJS under node) costs about the native work on two elements of an
 * array-like (about 22-26 ns each); dense arrays are cheaper natively, so they are overcharged.
 */
export const ELEMENTS_PER_CHARGE = 2;

/**
 * Elements of a real array per charging-loop iteration: dense arrays cost about 9 ns an element
 * natively; a sparse real array (`new Array(2 ** 32 - 1)`) costs as much as an array-like and is
 * undercharged about 2×, which the budget absorbs.
 */
export const DENSE_ELEMENTS_PER_CHARGE = 4;

/** String units per charging-loop iteration (a native string scan costs about 5 ns a unit). */
export const UNITS_PER_CHARGE = 8;

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
 * string result itself, or the JSON text of any other). It evaluates to `{ run, toJson, describe }`:
 * - `run(fn, json, mask)`: parses `json` (`[this, ...args]`), sets the entries whose `mask`
 *   character is `"1"` to `undefined`, and calls `fn` with them; a string result past the limit
 *   throws a `RangeError` with `RESULT_TOO_LARGE_MESSAGE` before it can leave the sandbox;
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
  // the prelude's own helpers call the natives, not the metering wrappers installed below
  const arraySlice = Array.prototype.slice;
  const stringSlice = String.prototype.slice;

  const run = function (fn, json, mask) {
    const values = parse(json);
    if (mask !== undefined) {
      for (let i = 0; i < mask.length; i++) if (mask[i] === "1") values[i] = undefined;
    }
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

${meteringSource()}

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
    ...meterNativeLoops(),
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
  return { run, toJson, describe };
})()`;
}

/**
 * The prelude's part that meters native loops: QuickJS polls its interrupt handler only from
 * bytecode, so a built-in that loops natively (`[].indexOf.call({length: 3e8}, 1)`,
 * `new Array(2 ** 32 - 1).join()`) would run unbudgeted. Every `Array.prototype` and
 * `String.prototype` method is replaced by a wrapper that runs a plain counting loop in
 * proportion to the receiver's length before the native call (and to the result's length after
 * it), so native work is charged to the same budget as interpreted work. A non-array receiver
 * whose `length` is an accessor is refused (it could report a small length to the wrapper and a
 * huge one to the native method), and `Proxy` is removed for the same reason. The wrappers are
 * methods (not constructible), keep the native `name` and `length`, and print as native code.
 * Defines `meterNativeLoops()`, which installs them and returns them for freezing.
 */
function meteringSource(): string {
  return `
  const isArray = Array.isArray;
  const typedArrayLength = getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), "length").get;
  const nativeToString = Function.prototype.toString;
  const WeakSetIntrinsic = WeakSet;
  const weakSetAdd = WeakSet.prototype.add;
  const weakSetHas = WeakSet.prototype.has;
  const wrappers = new WeakSetIntrinsic();
  const charge = function (units) {
    for (let i = 0; i < units; i++) {}
  };
  const lengthOf = function (value) {
    if (typeof value === "string" || isArray(value)) return value.length;
    if ((typeof value !== "object" && typeof value !== "function") || value === null) return 0;
    {
      for (let holder = value; holder !== null; holder = getPrototypeOf(holder)) {
        const descriptor = getOwnPropertyDescriptor(holder, "length");
        if (descriptor === undefined) continue;
        if (descriptor.get === typedArrayLength) return apply(typedArrayLength, value, []);
        if (!("value" in descriptor)) throw new TypeErrorIntrinsic(${JSON.stringify(UNSTABLE_LENGTH_MESSAGE)});
        // an object's valueOf could answer the wrapper one length and the built-in another
        const held = descriptor.value;
        if ((typeof held === "object" && held !== null) || typeof held === "function")
          throw new TypeErrorIntrinsic(${JSON.stringify(UNSTABLE_LENGTH_MESSAGE)});
        break;
      }
    }
    const length = +value.length;
    return length > 0 ? (length < 9007199254740991 ? length : 9007199254740991) : 0;
  };
  const stringLength = function (value) {
    return typeof value === "string" ? value.length : 0;
  };
  const chargeNested = function (array, depth) {
    if (!(depth >= 1) || !isArray(array)) return;
    for (let i = 0; i < array.length; i++) {
      const element = array[i];
      if (isArray(element)) {
        charge(element.length / ${ELEMENTS_PER_CHARGE});
        chargeNested(element, depth - 1);
      }
    }
  };
  const chargingResults = function (callback) {
    return function (...args) {
      const result = apply(callback, this, args);
      if (isArray(result)) charge(result.length / ${ELEMENTS_PER_CHARGE});
      return result;
    };
  };
  /** What a few Array methods do beyond their receiver: concat spreads its arguments, flat and flatMap nested arrays. */
  const arrayExtras = {
    __proto__: null,
    concat(receiver, args) {
      for (let i = 0; i < args.length; i++) charge(lengthOf(args[i]) / ${ELEMENTS_PER_CHARGE});
    },
    flat(receiver, args) {
      chargeNested(receiver, args[0] === undefined ? 1 : +args[0]);
    },
    flatMap(receiver, args) {
      if (typeof args[0] === "function") args[0] = chargingResults(args[0]);
    },
  };
  const wrap = function (holder, key, native, receiverLength, unitsPerCharge, extra) {
    const wrapper = {
      [key](...args) {
        const length = receiverLength(this);
        const perCharge = isArray(this) ? ${DENSE_ELEMENTS_PER_CHARGE} : unitsPerCharge;
        if (length >= perCharge) charge(length / perCharge);
        if (extra !== undefined) extra(this, args);
        const result = apply(native, this, args);
        if (result !== this && (typeof result === "string" || isArray(result))) {
          const perResult = isArray(result) ? ${DENSE_ELEMENTS_PER_CHARGE} : unitsPerCharge;
          if (result.length >= perResult) charge(result.length / perResult);
        }
        return result;
      },
    }[key];
    defineProperty(wrapper, "length", { value: native.length });
    apply(weakSetAdd, wrappers, [wrapper]);
    defineProperty(holder, key, { value: wrapper, writable: true, enumerable: false, configurable: true });
    return wrapper;
  };
  const meterNativeLoops = function () {
    const installed = [];
    const untouched = ["constructor", "at", "pop", "push", "entries", "keys", "values", "charAt", "charCodeAt", "codePointAt", "toString", "valueOf"];
    const families = [
      [Array.prototype, lengthOf, ${ELEMENTS_PER_CHARGE}],
      [String.prototype, stringLength, ${UNITS_PER_CHARGE}],
    ];
    for (const [prototype, receiverLength, unitsPerCharge] of families) {
      for (const key of ownKeys(prototype)) {
        if (typeof key !== "string" || untouched.includes(key)) continue;
        const native = prototype[key];
        if (typeof native !== "function") continue;
        const extra = prototype === Array.prototype ? arrayExtras[key] : undefined;
        installed.push(wrap(prototype, key, native, receiverLength, unitsPerCharge, extra));
      }
    }
    const printNative = {
      toString() {
        if (apply(weakSetHas, wrappers, [this])) return "function " + this.name + "() {\\n    [native code]\\n}";
        return apply(nativeToString, this, []);
      },
    }.toString;
    defineProperty(printNative, "length", { value: 0 });
    apply(weakSetAdd, wrappers, [printNative]);
    defineProperty(Function.prototype, "toString", { value: printNative, writable: true, enumerable: false, configurable: true });
    installed.push(printNative);
    return installed;
  };`;
}
