/**
 * @module
 * What an expression can see: the bindings object handed to the evaluator (scopes plus bare
 * names, in the documented order) and `readPath`, which reads a path with the same resolution.
 * Must not evaluate anything or copy state deeply: views share the state's objects.
 */

import { FORBIDDEN_PATH_SEGMENTS } from "./forbidden-keys.ts";
import { getPath } from "./path-access.ts";
import { resolvePath, type StatePath } from "./paths.ts";
import { PATH_ROOTS } from "./scope-names.ts";
import type { EvaluationContext, LoopContext, StateData } from "./state-data.ts";

/**
 * `env` is not a scope: secrets never reach an expression (docs/dialect.md, "Secrets"). The name
 * stays reserved, so a field or local called `env` is never bound bare in its place.
 */
const RESERVED_NAMES: readonly string[] = ["env"];

const IDENTIFIER_PATTERN = /^[A-Za-z_$][\w$]*$/;

/** Names that never become bare names: JavaScript keywords and literals, the global built-ins, scope names. */
const NOT_BARE_NAMES: ReadonlySet<string> = new Set([
  // scope names: always bound to their scope, never shadowed by a field or local of the same name
  ...PATH_ROOTS,
  ...RESERVED_NAMES,
  ...FORBIDDEN_PATH_SEGMENTS,
  // keywords, strict-mode reserved words and literal names
  ..."arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch throw true try typeof var void while with yield undefined NaN Infinity".split(
    " ",
  ),
  // global built-ins an expression may use
  ..."Array ArrayBuffer BigInt Boolean DataView Date Error EvalError Float32Array Float64Array Function Int8Array Int16Array Int32Array Intl JSON Map Math Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol SyntaxError TypeError URIError Uint8Array Uint8ClampedArray Uint16Array Uint32Array WeakMap WeakSet decodeURI decodeURIComponent encodeURI encodeURIComponent globalThis isFinite isNaN parseFloat parseInt".split(
    " ",
  ),
]);

/** Whether `name` can be bound as a bare name (a plain identifier that shadows nothing). */
export function isBindableBareName(name: string): boolean {
  return IDENTIFIER_PATTERN.test(name) && !NOT_BARE_NAMES.has(name);
}

/** `loop` as expressions see it: `{item, index, iteration}`, only the ones that are set. */
export function loopScope(loop: LoopContext | undefined): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (loop === undefined) return view;
  if (loop.item !== undefined) view.item = loop.item;
  if (loop.index !== undefined) view.index = loop.index;
  if (loop.iteration !== undefined) view.iteration = loop.iteration;
  return view;
}

/** `this` as expressions see it: state fields overlaid with computed fields (computed wins). */
export function thisScope(data: StateData): Record<string, unknown> {
  return { ...data.state, ...data.computed };
}

/**
 * The bindings for one evaluation. Scopes: `this`, `global`, `inputs`, `loop`, `config`, `event`,
 * `tasks`, and the legacy `state`, `computed`, `raw` (never `env`: secrets are not values). Bare names, first hit wins:
 * `context.locals`, loop variables (`item`, `index`, `iteration`, a foreach's custom names),
 * computed fields, inputs, state fields, globals. A bare name is bound only when it is a valid
 * identifier that is not a keyword, a built-in or a scope name. `computedSpecs` (optional) names
 * the computed fields when some have no value yet.
 */
export function buildBindings(
  data: StateData,
  context: EvaluationContext = {},
  computedSpecs?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const bindings: Record<string, unknown> = {};
  // Lowest precedence first, so each later tier overwrites the ones it outranks.
  bindBareNames(bindings, data.global);
  bindBareNames(bindings, data.state);
  bindBareNames(bindings, data.inputs);
  if (computedSpecs === undefined) bindBareNames(bindings, data.computed);
  else for (const name of Object.keys(computedSpecs)) bindBareName(bindings, name, data.computed[name]);
  const loop = loopScope(context.loop);
  bindBareNames(bindings, loop);
  if (context.loop?.names !== undefined) bindBareNames(bindings, context.loop.names);
  if (context.locals !== undefined) bindBareNames(bindings, context.locals);

  const thisView = thisScope(data);
  bindings.this = thisView;
  bindings.state = data.state;
  bindings.computed = data.computed;
  bindings.raw = { ...thisView, ...data.inputs };
  bindings.global = data.global;
  bindings.inputs = data.inputs;
  bindings.loop = loop;
  bindings.config = context.config ?? {};
  bindings.event = context.event ?? {};
  bindings.tasks = context.tasks ?? {};
  return bindings;
}

function bindBareNames(bindings: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const name in source) {
    if (Object.hasOwn(source, name)) bindBareName(bindings, name, source[name]);
  }
}

function bindBareName(bindings: Record<string, unknown>, name: string, value: unknown): void {
  if (isBindableBareName(name)) bindings[name] = value;
}

/**
 * The value at `path` as an expression would see it: `this.x` is the computed field `x` when
 * there is one, else the state field; other scopes come from `data` or `context`.
 */
export function readPath(data: StateData, context: EvaluationContext, path: string | StatePath): unknown {
  const resolved = typeof path === "string" ? resolvePath(path, data.inputs) : path;
  const segments = resolved.segments;
  switch (resolved.scope) {
    case "this": {
      const first = segments[0];
      if (first === undefined) return thisScope(data);
      const tier = Object.hasOwn(data.computed, String(first)) ? data.computed : data.state;
      return getPath(tier, segments);
    }
    case "global":
      return getPath(data.global, segments);
    case "inputs":
      return getPath(data.inputs, segments);
    case "loop":
      return getPath(loopScope(context.loop), segments);
    case "config":
      return getPath(context.config ?? {}, segments);
    case "event":
      return getPath(context.event ?? {}, segments);
    case "tasks":
      return getPath(context.tasks ?? {}, segments);
  }
}
