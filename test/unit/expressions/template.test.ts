/** Proves templates split, balance braces, keep types when alone, interpolate when mixed and render deeply. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are JavaScript sources under test
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import {
  hasTemplate,
  interpolate,
  parseTemplate,
  renderDeep,
  renderTemplate,
} from "../../../engine/expressions/template.ts";

/** Records what it was asked and answers from a table: no sandbox needed to test the scanner. */
function table(values: Record<string, unknown>) {
  const asked: string[] = [];
  const evaluate = (source: string) => {
    asked.push(source);
    if (!(source in values)) throw new Error(`unexpected expression ${JSON.stringify(source)}`);
    return values[source];
  };
  return { asked, evaluate };
}

function sources(text: string): string[] {
  return parseTemplate(text).flatMap((part) => (part.kind === "expression" ? [part.source] : []));
}

describe("parseTemplate", () => {
  it("splits text and expressions, trimming expressions", () => {
    expect(parseTemplate("Counter is {{ this.counter }}, doubled is {{this.doubled}}!")).toEqual([
      { kind: "text", text: "Counter is " },
      { kind: "expression", source: "this.counter", offset: 11, line: 1, column: 12 },
      { kind: "text", text: ", doubled is " },
      { kind: "expression", source: "this.doubled", offset: 42, line: 1, column: 43 },
      { kind: "text", text: "!" },
    ]);
  });

  it.each([
    ["{{ files.filter(f => { return f.ok }) }}", ["files.filter(f => { return f.ok })"]],
    ['{{ x ? {"a": 1} : {"b": 2} }}', ['x ? {"a": 1} : {"b": 2}']],
    ["{{ {a: {b: 1}} }}", ["{a: {b: 1}}"]],
    ["{{ '}}' + x }}", ["'}}' + x"]],
    ['{{ "}}" }} and {{ "{{" }}', ['"}}"', '"{{"']],
    ["{{ `}}${ {a: '}}'}.a }}` }}", ["`}}${ {a: '}}'}.a }}`"]],
    ["{{ /}}/.test(x) }}", ["/}}/.test(x)"]],
    ["{{ a /* }} */ + b }}", ["a /* }} */ + b"]],
    ["{{ a }}}", ["a"]],
    ["{{ x }}{{ y }}", ["x", "y"]],
    ["{{\n  multi\n  line\n}}", ["multi\n  line"]],
  ])("finds the closing braces in %s", (text, expected) => {
    expect(sources(text)).toEqual(expected);
  });

  it("reports an unclosed template with its line and column", () => {
    const attempt = () => parseTemplate("first line\nvalue: {{ this.counter ");
    expect(attempt).toThrow(EngineError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: "template.unclosed", line: 2, column: 8 });
    }
  });

  it.each([
    "{{ x",
    "{{ x }",
    "{{ 'unterminated }}",
    "{{ {a: 1 }}",
    "{{ a // comment }}",
    "done {{ a }} then {{ b",
  ])("rejects %j as unclosed", (text) => {
    expect(() => parseTemplate(text)).toThrow(expect.objectContaining({ code: "template.unclosed" }));
  });

  it("rejects an empty template", () => {
    expect(() => parseTemplate("a {{  }} b")).toThrow(expect.objectContaining({ code: "template.empty" }));
  });

  it("returns the same frozen parts for the same text", () => {
    const first = parseTemplate("x {{ y }}");
    expect(parseTemplate("x {{ y }}")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("leaves a lone closing pair alone", () => {
    expect(parseTemplate("just }} text")).toEqual([{ kind: "text", text: "just }} text" }]);
  });
});

describe("hasTemplate", () => {
  it("is true only when there is an opening pair", () => {
    expect(hasTemplate("a {{ b }}")).toBe(true);
    expect(hasTemplate("a { b }")).toBe(false);
    expect(hasTemplate("a }} b")).toBe(false);
  });
});

describe("renderTemplate", () => {
  it("keeps the type of a string that is exactly one template", () => {
    const { evaluate } = table({ "this.files": ["a.ts"], n: 3, flag: false, nothing: undefined });
    expect(renderTemplate("{{ this.files }}", evaluate)).toEqual(["a.ts"]);
    expect(renderTemplate("  {{ n }}\n", evaluate)).toBe(3);
    expect(renderTemplate("{{ flag }}", evaluate)).toBe(false);
    expect(renderTemplate("{{ nothing }}", evaluate)).toBeUndefined();
  });

  it("interpolates mixed text", () => {
    const { evaluate } = table({
      s: "text",
      n: 2.5,
      b: true,
      u: undefined,
      z: null,
      o: { a: [1] },
      l: [1, "x"],
    });
    expect(renderTemplate("{{ s }}|{{ n }}|{{ b }}|{{ u }}|{{ z }}|{{ o }}|{{ l }}", evaluate)).toBe(
      'text|2.5|true|||{"a":[1]}|[1,"x"]',
    );
  });

  it("returns text without templates unchanged, without evaluating", () => {
    const { asked, evaluate } = table({});
    expect(renderTemplate("plain { text }", evaluate)).toBe("plain { text }");
    expect(asked).toEqual([]);
  });

  it("evaluates each expression once, in order", () => {
    const { asked, evaluate } = table({ a: 1, b: 2 });
    renderTemplate("{{ a }} {{ b }} {{ a }}", evaluate);
    expect(asked).toEqual(["a", "b", "a"]);
  });

  it("lets an evaluation error through", () => {
    expect(() =>
      renderTemplate("x {{ boom }}", () => {
        throw new EngineError("expression.runtime", "boom");
      }),
    ).toThrow("boom");
  });
});

describe("renderDeep", () => {
  it("renders strings inside objects and arrays and leaves keys and other values alone", () => {
    const { evaluate } = table({ path: "src/a.ts", n: 2 });
    const input = {
      "{{ path }}": "key stays",
      file_paths: ["{{ path }}", "literal"],
      nested: { count: "{{ n }}", label: "n={{ n }}", on: true, none: null },
    };
    expect(renderDeep(input, evaluate)).toEqual({
      "{{ path }}": "key stays",
      file_paths: ["src/a.ts", "literal"],
      nested: { count: 2, label: "n=2", on: true, none: null },
    });
    expect(input.file_paths[0]).toBe("{{ path }}");
  });

  it("keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"__proto__": {"polluted": "{{ n }}"}}') as unknown;
    const output = renderDeep(input, table({ n: 1 }).evaluate) as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, "__proto__")?.value).toEqual({ polluted: 1 });
  });
});

describe("interpolate", () => {
  it("writes values the way mixed text shows them", () => {
    expect([undefined, null, "s", 1, false, [1], { a: 1 }].map(interpolate)).toEqual([
      "",
      "",
      "s",
      "1",
      "false",
      "[1]",
      '{"a":1}',
    ]);
  });
});
