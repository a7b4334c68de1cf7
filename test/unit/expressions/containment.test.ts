/**
 * An expression can never close, reopen or outlive the function it is compiled into, whatever the
 * lexer thinks (issue 9, item 1): QuickJS's own parse proves it (`source-wrapper.ts`), `check`
 * runs nothing, no evaluation or check leaves a binding a later one can see, and the names the
 * lexer checks are all the names QuickJS reads as code.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import fc from "fast-check";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { FORBIDDEN_NAMES } from "../../../engine/expressions/forbidden-names.ts";
import { createEvaluator, DEFAULT_EVALUATOR_LIMITS } from "../../../engine/expressions/quickjs-evaluator.ts";
import { fuelTank, loadQuickJS } from "../../../engine/expressions/quickjs-module.ts";
import { QuickJSSandbox } from "../../../engine/expressions/quickjs-sandbox.ts";
import { analyzeSource } from "../../../engine/expressions/source-analysis.ts";
import { wrapSource, wrapSourceUnproven } from "../../../engine/expressions/source-wrapper.ts";

/** The text from the issue: `/` after `}` read as division by the lexer, as a regex by QuickJS. */
const ISSUE_ESCAPE = "if(1){}/{/;}); let leak1 = 1; ;(function(){{return 1/1} ";

/** Every name the hostile texts below try to declare at global level. */
const LEAK_NAMES = ["leak1", "leak2", "leak3", "leak4", "leak5"];

let runner: Evaluator;
let checker: Evaluator;
beforeAll(async () => {
  runner = await createEvaluator({ pathShortcut: false });
  // like the worker's shared checker (worker/mcp/expression-checker.ts)
  checker = await createEvaluator({ compiledCacheSize: 1 });
});
afterAll(() => {
  runner.dispose();
  checker.dispose();
});

function thrownBy(attempt: () => unknown): EngineError | undefined {
  try {
    attempt();
    return undefined;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
}

/** `typeof` of every leak name, read by a fresh evaluation in `evaluator`. */
function leakedNames(evaluator: Evaluator): string[] {
  const types = evaluator.evaluate(`[${LEAK_NAMES.map((name) => `typeof ${name}`).join(", ")}]`, {});
  return LEAK_NAMES.filter((_, index) => (types as string[])[index] !== "undefined");
}

/**
 * Texts that try to close the wrapper, declare or run something at global level, and reopen it:
 * a `/` the old lexer read one way and QuickJS the other, closers, a payload, a reopener, noise.
 */
const hostileText = fc
  .tuple(
    fc.array(fc.constantFrom("}", "{", "/", "/re/", "//c\n", "/*c*/", "'s'", "`${1}`", ")", ";", "\n"), {
      maxLength: 1,
    }),
    fc.constantFrom("if(1){}/", "{}/", "if(x){}\n/", "a\n++/", "x = {}/", "({})/", "`${", "'"),
    fc.constantFrom("{/;", "{/;x", "}/;", "'/;", "`/;", ""),
    fc.constantFrom("})", "});", "})()", "}})", "`}"),
    fc.constantFrom(
      " let leak1 = 1;",
      " var leak2 = 2;",
      " class leak3 {};",
      " const leak4 = 4;",
      " function leak5() {};",
      ' throw "escaped";',
    ),
    fc.constantFrom(
      ";(function(){{return 1/1} ",
      ";(function(){{return 2/2}\n",
      "(function(){",
      "(()=>{",
      "/*",
      "`",
    ),
    fc.array(fc.constantFrom("}", "/", "/re/", "'", "`", ")", "\n"), { maxLength: 1 }),
  )
  .map((parts) => parts.flat().join(""));

describe("the wrapper cannot be escaped", () => {
  it("refuses the text from the issue in check and in evaluate, and nothing stays behind", () => {
    for (const evaluator of [checker, runner]) {
      expect(thrownBy(() => evaluator.check(ISSUE_ESCAPE))?.code).toBe("expression.syntax");
      expect(thrownBy(() => evaluator.evaluate(ISSUE_ESCAPE, {}))?.code).toBe("expression.syntax");
      expect(leakedNames(evaluator)).toEqual([]);
    }
  });

  it("QuickJS's parse refuses an escaping text even when the lexer is not asked", async () => {
    const module = await loadQuickJS();
    const sandbox = new QuickJSSandbox(module, DEFAULT_EVALUATOR_LIMITS, fuelTank(module));
    try {
      for (const text of [
        ISSUE_ESCAPE,
        "}}); let leak2 = 2; (function(){{{",
        "1); }}); (function(){{ return (1",
      ]) {
        for (const form of ["statements", "expression"] as const) {
          expect(sandbox.compileOnly(wrapSource(text, [], form)).ok).toBe(false);
        }
      }
      // without the proof the first one compiles: that is what the label is for
      expect(sandbox.compileOnly(wrapSourceUnproven(ISSUE_ESCAPE, [], "statements")).ok).toBe(true);
    } finally {
      sandbox.dispose();
    }
  });

  it("random hostile texts never leave a global binding and never run outside the body (check and evaluate)", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        // check runs nothing at all, so not even a contained `throw` can be seen
        expect(thrownBy(() => checker.check(text))?.message ?? "").not.toContain("escaped");
        thrownBy(() => runner.evaluate(text, {}));
        expect(leakedNames(checker)).toEqual([]);
        expect(leakedNames(runner)).toEqual([]);
      }),
      { numRuns: 2000, examples: [[ISSUE_ESCAPE]] },
    );
  });

  it("a text that compiles in the wrapper is exactly the body of one function (plain QuickJS as the judge)", async () => {
    const module = await loadQuickJS();
    const runtime = module.newRuntime();
    runtime.setMaxStackSize(DEFAULT_EVALUATOR_LIMITS.maxStackSizeBytes);
    let polls = 0;
    runtime.setInterruptHandler(() => ++polls > 50);
    const context = runtime.newContext();
    try {
      const functionConstructor = context.getProp(context.global, "Function");
      const toText = context.getProp(functionConstructor, "prototype");
      functionConstructor.dispose();
      fc.assert(
        fc.property(hostileText, fc.constantFrom("statements", "expression"), (text, form) => {
          const code = wrapSource(text, [], form);
          const compiled = context.evalCode(code, "x.js", { compileOnly: true });
          if (compiled.error !== undefined) {
            compiled.error.dispose();
            return;
          }
          compiled.value.dispose();
          polls = 0;
          // evaluating it ran nothing that could throw, loop or declare
          const fn = context.unwrapResult(context.evalCode(code, "x.js", { type: "global", strict: true }));
          expect(context.typeof(fn)).toBe("function");
          expect(sourceOf(context, toText, fn)).toBe(code.slice(1, -1));
          fn.dispose();
          expect(runtime.hasPendingJob()).toBe(false);
          expect(globalLeaks(context)).toEqual([]);
        }),
        { numRuns: 400, examples: [[ISSUE_ESCAPE, "statements"]] },
      );
      toText.dispose();
    } finally {
      context.dispose();
      runtime.dispose();
    }
  });
});

describe("the lexer sees every name QuickJS reads as code", () => {
  it.each([
    // `/` after the head of a control statement starts a regular expression
    ["if (x) /constructor/.test(y)", undefined],
    ["if (x) /'/; x.constructor; /'/", "expression.forbidden"],
    ["while (x) /'/; eval; /'/", "expression.forbidden"],
    // after a property named like a keyword it divides
    ["a.return / x.constructor / 1", "expression.forbidden"],
    ["class A { #return = 1; m() { return this.#return / x.constructor / 1 } }", "expression.forbidden"],
    // after `}` either reading can be right: refused when they differ in what they hide
    ["if (a) { b } /'/; constructor; '/", "expression.syntax"],
    ["if (a) { b } /x/.test(c)", undefined],
    ["({ a: 1 }) / 2 / 3", undefined],
    ["(a + b) / (c + d) / 2", undefined],
    ["let of = 4; return of / 2", undefined],
    // a postfix increment ends an operand, a prefix one (after a line break) starts one
    ["x++ / (a / b) / 2", undefined],
    ["x--\n/constructor/.lastIndex", "expression.forbidden"],
    ["x\n++/constructor/.lastIndex", undefined],
    ["x\n++/'/.lastIndex; x.constructor; /'/", "expression.forbidden"],
  ])("%s → %s", (source, code) => {
    expect(thrownBy(() => analyzeSource(source))?.code).toBe(code);
  });

  const piece = fc.constantFrom(
    "if(x)",
    "if(x){}",
    "{}",
    "(x)",
    "x",
    "}",
    "{",
    ")",
    "(",
    "/",
    "/constructor/",
    "/'/",
    '/"/',
    "/`/",
    "/[/]/",
    "'constructor'",
    '"eval"',
    "`prototype`",
    "//constructor\n",
    "/*eval*/",
    "constructor",
    "x.constructor",
    "eval",
    ";",
    "\n",
    "++",
    "of",
    "'",
    '"',
    "`",
    "${",
    "[",
    "]",
    "=",
    "+",
    "1",
  );

  /** A `/` whose reading decides whether a quote, bracket or comment opener hides the code after it. */
  const slashPuzzle = fc
    .tuple(
      fc.constantFrom(
        "if(x)",
        "if(x){}",
        "while(x)",
        "for(;;)",
        "{}",
        "x",
        "x++",
        "x\n++",
        "for(const a of b)",
        "of",
        "await",
        "(x)",
        "",
      ),
      fc.constantFrom("'", '"', "`", "[", "(", "/*", "*", "x", ""),
      fc.constantFrom("x.constructor", "eval", "x.prototype", "x.__proto__", "constructor", "1"),
      fc.constantFrom("'", '"', "`", "]", ")", "*/", "*", "x", ""),
      fc.constantFrom("/", "/g", "", "/;"),
    )
    .map(([prefix, open, word, close, end]) => `${prefix}/${open}/;${word};/${close}${end}`);

  it("a text the analysis and QuickJS both accept holds no forbidden name outside literals and comments", async () => {
    const module = await loadQuickJS();
    const sandbox = new QuickJSSandbox(module, DEFAULT_EVALUATOR_LIMITS, fuelTank(module));
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.array(piece, { minLength: 1, maxLength: 10 }).map((pieces) => pieces.join("")),
            slashPuzzle,
          ),
          (text) => {
            if (thrownBy(() => analyzeSource(text)) !== undefined) return;
            const form = (["expression", "statements"] as const).find(
              (candidate) => sandbox.compileOnly(wrapSource(text, [], candidate)).ok,
            );
            if (form === undefined) return;
            // `@` is no JavaScript token: where a forbidden word was code, the text stops compiling
            for (const name of FORBIDDEN_NAMES) {
              for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
                // a longer word (`ofeval`) is another name
                if (/[\w$]/.test(text[at - 1] ?? "") || /[\w$]/.test(text[at + name.length] ?? "")) continue;
                const mutated = `${text.slice(0, at)}@${text.slice(at + 1)}`;
                expect([name, at, sandbox.compileOnly(wrapSource(mutated, [], form)).ok]).toEqual([
                  name,
                  at,
                  true,
                ]);
              }
            }
          },
        ),
        { numRuns: 3000, examples: [["if(x)/'/;x.constructor;/'/"]] },
      );
    } finally {
      sandbox.dispose();
    }
  });
});

/** The function's source text, read with the intrinsic `Function.prototype.toString`. */
function sourceOf(context: QuickJSContext, functionPrototype: QuickJSHandle, fn: QuickJSHandle): string {
  const intrinsicToString = context.getProp(functionPrototype, "toString");
  const text = context.unwrapResult(context.callFunction(intrinsicToString, fn));
  intrinsicToString.dispose();
  const value = context.getString(text);
  text.dispose();
  return value;
}

/** Leak names visible at global level, as properties or as global lexical bindings. */
function globalLeaks(context: QuickJSContext): string[] {
  const probe = context.evalCode(`[${LEAK_NAMES.map((name) => `typeof ${name}`).join(", ")}]`);
  const handle = context.unwrapResult(probe);
  const types = context.dump(handle) as string[];
  handle.dispose();
  return LEAK_NAMES.filter((_, index) => types[index] !== "undefined");
}
