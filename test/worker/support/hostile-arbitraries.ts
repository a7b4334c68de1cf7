/**
 * fast-check arbitraries for hostile inputs: strings an attacker or a broken client would send,
 * JSON with prototype-pollution keys, expressions that try to escape the sandbox or never end,
 * and arguments shaped by a tool's advertised JSON Schema (so a new tool is fuzzed as soon as it
 * is registered). Values named in `hints` (a run id, a step id) are mixed in so that generated
 * calls reach past "not found" into the run's own code.
 */
import fc from "fast-check";

/** Expressions that try to get out of the QuickJS sandbox, reach the host, or never finish. */
export const ESCAPE_EXPRESSIONS = [
  "while(true){}",
  "(()=>{for(;;){}})()",
  "(function f(){ return f() })()",
  "[...Array(1e9)].length",
  "'x'.repeat(1e9)",
  "new Array(1e8).fill(1).join('')",
  "/(a+)+$/.test('a'.repeat(40) + 'b')",
  "this.constructor.constructor('return globalThis')()",
  "({}).constructor.constructor('return process')()",
  "Object.getPrototypeOf(async function(){}).constructor('return 1')()",
  "globalThis",
  "eval('1+1')",
  "Function('return this')()",
  "import('node:fs')",
  "Reflect.construct(Function, ['return 1'])",
  "Object.prototype.polluted = 1",
  "Object.assign(Object.prototype, {polluted: 1})",
  "({}).__proto__.polluted = 1",
  "this.__proto__",
  'JSON.parse(\'{"__proto__": {"polluted": 1}}\').polluted',
  "Symbol.for('x')",
  "new Proxy({}, {get: () => { while(true){} }}).x",
  "(async () => { while(true){} })()",
  "Promise.resolve().then(() => { while(true){} })",
  "Array.prototype.map = () => 1",
  "Math.random = () => 4",
  "Date.now = () => 0",
  "fetch('http://example.com')",
  "caches",
  "crypto.subtle",
  "scheduler.wait(1e9)",
  "setTimeout(() => {}, 1e9)",
  "let a = []; for (;;) a.push(a)",
  "x".repeat(5_000),
  "}}{{",
  "`${",
];

/** Strings a hostile caller tries first. */
export const CLASSIC_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "this.__proto__.polluted",
  "this.constructor.prototype.polluted",
  'this["__proto__"]["polluted"]',
  "global.__proto__",
  "inputs.__proto__.x",
  "this.a.__proto__",
  "this",
  "this.",
  "this..x",
  "this[",
  "this[0][1][2]",
  "env.SECRET",
  "tasks.x.result",
  "{{ while(true){} }}",
  "{{ (()=>{for(;;){}})() }}",
  "{{ this.constructor.constructor('return globalThis')() }}",
  "{{",
  "}}",
  "{{ }}",
  "{{{{}}}}",
  "'; DROP TABLE runs; --",
  '" OR 1=1 --',
  "\u0000",
  "\ud800",
  "\udfff",
  "\uffff",
  "\u202e",
  "\r\n\r\n",
  "../../etc/passwd",
  "%00",
  "%ff",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "null",
  "undefined",
  "[]",
  "{}",
  "wf_000000000000000000000000",
  "wf_ffffffffffffffffffffffff",
  "efk_x_0000000000000000_",
  "demo:greet",
  "1.0.0",
  "99999999999999999999.0.0",
  "a".repeat(10_000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...CLASSIC_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom(...ESCAPE_EXPRESSIONS).map((code) => `{{ ${code} }}`) },
);

/**
 * Header values: ASCII, control characters included. (`fetch` in workerd sends anything beyond
 * ASCII as UTF-8, so raw non-UTF-8 header bytes cannot be produced from a test; values `Headers`
 * refuses, NUL, CR and LF, are dropped by the caller.)
 */
export const hostileHeader: fc.Arbitrary<string> = fc.oneof(
  hostileString.map((value) => [...value].filter((char) => char.codePointAt(0)! < 0x80).join("")),
  fc.string({
    unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
    maxLength: 40,
  }),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "valueOf",
      "then",
      "length",
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

/**
 * Objects that pose as strings or arrays: zod 4.6 runs its length checks on anything with a
 * `length`, and `{"length": {"toString": {}}}` made it throw (see worker/http/parse-input.ts).
 */
export const LENGTH_TRAPS: readonly unknown[] = [
  { length: { toString: {} } },
  { length: { valueOf: {}, toString: {} } },
  { length: [] },
  { length: -1 },
  { length: 1e308, 0: "a" },
];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(...LENGTH_TRAPS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308),
);

/** JSON values whose object keys include `__proto__`, `constructor` and `prototype`. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{
  value: unknown;
  array: unknown;
  object: unknown;
}>((tie) => ({
  value: fc.oneof({ depthSize: "small", maxDepth: 4 }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(hostileKey, tie("value"), { maxKeys: 5 }),
})).value;

/** The JSON Schema subset `z.toJSONSchema` produces for tool inputs. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

/** Values to prefer for a property of this name (a live run id, a real step id, ...). */
export type Hints = Readonly<Record<string, readonly unknown[]>>;

/**
 * Arguments shaped like `schema`: the right keys with hostile values, values of the wrong type,
 * missing required keys, extra keys, and the hinted values mixed in.
 */
export function argumentsFor(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: shaped(schema, hints, undefined, 0) },
    { weight: 1, arbitrary: hostileJson },
    {
      weight: 1,
      arbitrary: fc
        .tuple(shaped(schema, hints, undefined, 0), fc.dictionary(hostileKey, hostileJson, { maxKeys: 2 }))
        .map(([args, extra]) =>
          typeof args === "object" && args !== null && !Array.isArray(args) ? { ...extra, ...args } : args,
        ),
    },
  );
}

function shaped(
  schema: JsonSchema,
  hints: Hints,
  name: string | undefined,
  depth: number,
): fc.Arbitrary<unknown> {
  const base = byType(schema, hints, depth);
  const hinted = name === undefined ? undefined : hints[name];
  const arms: fc.WeightedArbitrary<unknown>[] = [
    { weight: 6, arbitrary: base },
    { weight: 1, arbitrary: hostileJson },
  ];
  if (hinted !== undefined && hinted.length > 0)
    arms.push({ weight: 10, arbitrary: fc.constantFrom(...hinted) });
  return fc.oneof(...arms);
}

function byType(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => byType(alternative, hints, depth)));
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined && schema.enum.length > 0) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...schema.enum) },
      { weight: 1, arbitrary: hostileString },
    );
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return hostileString;
    case "number":
    case "integer":
      return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, 2 ** 53 + 1));
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return depth > 3
        ? fc.constant([])
        : fc.array(shaped(schema.items ?? {}, {}, undefined, depth + 1), { maxLength: 4 });
    case "object": {
      const properties = schema.properties ?? {};
      const names = Object.keys(properties);
      if (names.length === 0 || depth > 3) return fc.dictionary(hostileKey, hostileJson, { maxKeys: 3 });
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const property of names)
        record[property] = shaped(properties[property]!, hints, property, depth + 1);
      // required keys are usually there, sometimes not
      const required = (schema.required ?? []).filter((key) => key in record);
      return fc.oneof(
        { weight: 4, arbitrary: fc.record(record, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
      );
    }
    default:
      return hostileJson;
  }
}

/** Nested arrays `depth` levels deep, as JSON text (JSON.stringify would overflow the stack first). */
export function deepJsonText(depth: number, open = "[", close = "]"): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** Nested objects `{"a":{"a":...}}` `depth` levels deep, as JSON text. */
export function deepObjectText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** `encodeURIComponent`, after replacing lone surrogates (which it refuses) with U+FFFD. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
}
