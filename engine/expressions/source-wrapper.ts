/**
 * @module
 * The text QuickJS compiles for an expression, and the proof that the expression stays inside
 * it. The source goes into a strict-mode function expression, inside a block labelled with a
 * fresh random name, and the wrapper's own text after the source says `break <label>;`:
 *
 * ```
 * (function (a, b) { "use strict"; $contained_<hex>: {
 * SRC
 * break $contained_<hex>; }
 * })
 * ```
 *
 * `break L` compiles only inside a statement labelled `L` of the same function, and the only
 * statement labelled `L` is the wrapper's (the source cannot name a label it never sees: a new
 * one is drawn for every compile). A syntactic construct is one contiguous span, so when the
 * whole text compiles, the labelled block that opens before SRC and contains the `break` after it
 * contains all of SRC, inside the function. Whatever a tokenizer of ours thinks about `/` or
 * brackets, QuickJS's own parse proves that the source can neither close the function nor run
 * anything at global level: evaluating the text only creates the function. The text after SRC
 * holds no quote, backtick or comment closer and starts on a new line, so no literal or comment
 * that the source leaves open can swallow it (a `/*`, a string, a regular expression or a
 * template left open makes the compile fail instead).
 * It must not evaluate anything; the sandbox compiles what it returns.
 */

import type { SourceForm } from "./source-analysis.ts";

/** The wrapper puts the source on its own line, so positions shift by one line. */
export const WRAPPER_LINES = 1;

/** The function text for `body` (already in its form) with `names` as parameters. */
export function wrapSource(body: string, names: readonly string[], form: SourceForm): string {
  const label = `$contained_${crypto.randomUUID().replaceAll("-", "")}`;
  const parameters = names.join(", ");
  const inside = form === "expression" ? `return (\n${body}\n);` : `\n${body}`;
  return `(function (${parameters}) { "use strict"; ${label}: { ${inside}\nbreak ${label}; }\n})`;
}

/**
 * The same text without the label: what the evaluator compiled before the proof existed. Only
 * ever compiled without running (to tell "the source escapes" from an ordinary syntax error).
 */
export function wrapSourceUnproven(body: string, names: readonly string[], form: SourceForm): string {
  const parameters = names.join(", ");
  return form === "expression"
    ? `(function (${parameters}) { "use strict"; return (\n${body}\n); })`
    : `(function (${parameters}) { "use strict";\n${body}\n})`;
}
