/**
 * @module
 * The names an expression may not mention: the ways JavaScript reaches code generation
 * (`Function`, `eval`, `import()`), the global object (`globalThis`), prototypes
 * (`constructor`, `__proto__`, `prototype`) and module loading (`require`, `import.meta`).
 * The source scan rejects them before anything runs. This is the cheap first line only: the
 * sandbox is hardened as well (see `sandbox-prelude.ts`), because a computed key such as
 * `x['constr' + 'uctor']` cannot be caught by reading tokens.
 */

export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  "constructor",
  "__proto__",
  "prototype",
  "globalThis",
  "Function",
  "eval",
  "import",
  "require",
]);

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN_NAMES.has(name);
}
