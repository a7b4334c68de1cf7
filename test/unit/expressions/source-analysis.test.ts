/** Proves the tokenizer and the source analysis find names, forms and bracket errors without running anything. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import { describe, expect, it } from "vitest";
import { JsLexer, type Token } from "../../../engine/expressions/js-lexer.ts";
import { analyzeSource, MAX_EXPRESSION_LENGTH } from "../../../engine/expressions/source-analysis.ts";

function tokens(source: string): Array<[Token["kind"], string]> {
  const lexer = new JsLexer(source);
  const out: Array<[Token["kind"], string]> = [];
  for (let token = lexer.next(); token !== undefined; token = lexer.next())
    out.push([token.kind, token.value]);
  return out;
}

describe("JsLexer", () => {
  it("tokenizes names, numbers, strings, punctuators and skips comments", () => {
    expect(tokens("a.b(1.5e3, 'x\\'y') // c\n/* d */ ?. ...")).toEqual([
      ["name", "a"],
      ["punct", "."],
      ["name", "b"],
      ["punct", "("],
      ["number", "1.5e3"],
      ["punct", ","],
      ["string", "'x\\'y'"],
      ["punct", ")"],
      ["punct", "?."],
      ["punct", "..."],
    ]);
  });

  it.each([
    ["x = /a}b/g", "regex", "/a}b/g"],
    ["return /[/]/", "regex", "/[/]/"],
    ["(/x/)", "regex", "/x/"],
    ["a => /x/", "regex", "/x/"],
  ])("reads a regex in %s", (source, kind, value) => {
    expect(tokens(source)).toContainEqual([kind, value]);
  });

  it.each(["a / b / c", "(a) / 2", "a[0] / 2", "x++ / 2", "obj.return / 2", "obj?.in / 2", "1 / 2"])(
    "reads division in %s",
    (source) => {
      expect(tokens(source).some(([kind]) => kind === "regex")).toBe(false);
    },
  );

  it("splits template literals around substitutions and keeps braces inside them", () => {
    expect(tokens("`a${ {b: 1}.b }c${d}`")).toEqual([
      ["template", "`a${"],
      ["punct", "{"],
      ["name", "b"],
      ["punct", ":"],
      ["number", "1"],
      ["punct", "}"],
      ["punct", "."],
      ["name", "b"],
      ["template", "}c${"],
      ["name", "d"],
      ["template", "}`"],
    ]);
  });

  it("decodes unicode escapes in names", () => {
    expect(tokens("\\u0065val \\u{61}b")).toEqual([
      ["name", "eval"],
      ["name", "ab"],
    ]);
  });

  it("ends a line comment at U+2028, as JavaScript does", () => {
    expect(tokens("// comment\u2028code")).toEqual([["name", "code"]]);
  });

  it.each(["'open", "`open", "/* open", "/open", "'line\nbreak'", "\\x"])("throws on %j", (source) => {
    expect(() => tokens(`x = ${source}`)).toThrow();
  });
});

describe("analyzeSource", () => {
  it("lists free names once, in order, without member names or reserved words", () => {
    const analysis = analyzeSource("input.filter(x => x.ok && typeof y === 'string').map(x => this.z)");
    expect(analysis.names).toEqual(["input", "x", "y"]);
    expect(analysis.usesThis).toBe(true);
  });

  it.each([
    ["input * 2", "expression", "input * 2", false],
    ["input * 2;;", "expression", "input * 2", false],
    ["const a = 1; return a", "statements", "const a = 1; return a", true],
    ["return input", "statements", "return input", false],
    ["a; b", "expression", "a; b", true],
    ["f(() => { a; b; })", "expression", "f(() => { a; b; })", false],
  ])("classifies %j", (source, form, expressionText, separates) => {
    const analysis = analyzeSource(source);
    expect(analysis.preferredForm).toBe(form);
    expect(analysis.expressionText).toBe(expressionText);
    expect(analysis.separatesStatements).toBe(separates);
  });

  it.each([
    ["(a", "'(' is never closed", 1, 1],
    ["a)", "unexpected ')'", 1, 2],
    ["[a}", "unexpected '}'", 1, 3],
    ["`${ (a }`", "unexpected '}'", 1, 8],
    ["a +\n  'open", "unterminated string literal", 2, 3],
  ])("rejects %j: %s", (source, message, line, column) => {
    expect(() => analyzeSource(source)).toThrow(
      expect.objectContaining({
        code: "expression.syntax",
        message: `SyntaxError: ${message}`,
        line,
        column,
      }),
    );
  });

  it.each([
    ["this.a + this?.b.c", { this: ["a", "b"] }],
    ["inputs.file_path + this.x", { inputs: ["file_path"], this: ["x"] }],
    ["input.a + input", {}],
    ["input[key] + key.length", {}],
    ["Object.keys(this)", { Object: ["keys"] }],
    ["const { a } = state; return state.b", {}],
    ["input.a + arguments[0]", {}],
    ["x.y", { x: ["y"] }],
    ["x", {}],
  ])("finds the member-only reads of %j", (source, expected) => {
    expect(Object.fromEntries(analyzeSource(source).memberReads)).toEqual(expected);
  });

  it("caches by source text, and refuses a source longer than MAX_EXPRESSION_LENGTH (the cache must not hold megabytes a caller sent)", () => {
    expect(analyzeSource("cached + 1")).toBe(analyzeSource("cached + 1"));
    const longest = `1${" + 1".repeat(Math.floor((MAX_EXPRESSION_LENGTH - 1) / 4))}`;
    expect(longest.length).toBeGreaterThan(MAX_EXPRESSION_LENGTH - 4);
    expect(analyzeSource(longest)).toBe(analyzeSource(longest));
    const tooLong = `cached + ${"1 + ".repeat(2_000)}1`;
    expect(() => analyzeSource(tooLong)).toThrow(expect.objectContaining({ code: "expression.too_long" }));
  });
});
