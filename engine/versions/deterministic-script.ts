/**
 * @module
 * The text a migration script is evaluated as, so that a dry run predicts the apply: the script
 * runs inside an arrow function whose parameters shadow the sandbox's sources of
 * nondeterminism. `Date` and `performance` are `undefined`, and `Math` is a frozen copy of the
 * sandbox's `Math` without `random`. The global object is not reachable from an expression (the
 * sandbox deletes `globalThis`; strict-mode `this` is the caller's data), so a free name is the
 * only way to these built-ins and the shadowing cannot be walked around with a computed key.
 *
 * The script's text sits inside a block labelled with a fresh random name, followed by the
 * wrapper's `break <label>;` (the same proof as `expressions/source-wrapper.ts`): the text only
 * compiles when the script stays inside that block, inside the shadowing function, whatever
 * brackets it holds. It must not evaluate anything; the evaluator runs what it returns.
 */

const NONDETERMINISTIC_NAME = /\b(?:Date|performance|Math)\b/;

/** What a failure message adds when the script names a built-in migration scripts do not have. */
export function nondeterminismHint(expression: string): string {
  return NONDETERMINISTIC_NAME.test(expression)
    ? " (migration scripts have no Date, performance or Math.random, so that a dry run predicts the apply)"
    : "";
}

const DETERMINISTIC_MATH =
  'Object.freeze(Object.fromEntries(Object.getOwnPropertyNames(Math).filter((name) => name !== "random").map((name) => [name, Math[name]])))';

/** The statement body that evaluates `expression` (one script's `{{ }}` source) deterministically. */
export function deterministicScriptSource(expression: string): string {
  const label = `$migration_${crypto.randomUUID().replaceAll("-", "")}`;
  return (
    `return ((Math, Date, performance) => { ${label}: { return (\n${expression}\n);\nbreak ${label}; } })` +
    `(${DETERMINISTIC_MATH}, undefined, undefined);`
  );
}
