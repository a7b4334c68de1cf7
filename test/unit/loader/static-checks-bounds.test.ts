/**
 * @module
 * The static checks' work is bounded (docs/dialect.md, "Static checks"): at most 100 findings per
 * code then one `check.truncated`; "did you mean" looked up for at most 50 distinct names, with a
 * banded edit distance; the `var`/`let`/`const` scan and the placement of findings linear in the
 * text (counted in steps, doubling the input about doubles them); a step budget that stops the
 * checks with one `check.skipped`. Work is counted, never timed.
 */
import { describe, expect, it } from "vitest";
import { lineColumnAt } from "../../../engine/expressions/source-position.ts";
import { parseTemplate } from "../../../engine/expressions/template.ts";
import { CheckBudget } from "../../../engine/loader/checks/check-budget.ts";
import {
  closestName,
  editDistance,
  MAX_HINTED_NAMES,
  NameHints,
} from "../../../engine/loader/checks/closest-name.ts";
import { expressionNames } from "../../../engine/loader/checks/expression-names.ts";
import { loadWorkflow, missingSecretWarnings, staticChecks } from "../../../engine/loader/index.ts";
import { ScalarPlacer } from "../../../engine/loader/scalar-offset.ts";
import { parseYamlSource } from "../../../engine/loader/yaml-source.ts";

/** `count` declared state fields and `count` undeclared names read in one message, names `length` long. */
function manyNames(count: number, length = 12): string {
  const name = (prefix: string, i: number) => `${prefix}${i.toString(36)}`.padEnd(length, "_");
  const state = Array.from({ length: count }, (_, i) => `    ${name("a", i)}: 0`).join("\n");
  const reads = Array.from({ length: count }, (_, i) => `{{ ${name("b", i)} }}`).join("");
  return `name: "atk:names"\ndescription: d\nversion: 1.0.0\ndefault_state:\n  state:\n${state}\nsteps:\n  - id: s\n    type: user_message\n    message: "${reads}"\n`;
}

function definitionOf(yaml: string) {
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.definition;
}

/** Steps `expressionNames` counts for `source`. */
function stepsOf(source: string): number {
  const meter = new CheckBudget(Number.MAX_SAFE_INTEGER);
  expressionNames(source, meter);
  return meter.spent;
}

describe("the number of findings", () => {
  it("is at most 100 per code, then one check.truncated counting the rest", () => {
    const yaml = manyNames(300);
    const found = staticChecks(definitionOf(yaml), yaml);
    expect(found.filter((finding) => finding.code === "check.unresolved_name")).toHaveLength(100);
    const truncated = found.filter((finding) => finding.code === "check.truncated");
    expect(truncated).toHaveLength(1);
    expect(truncated[0]?.severity).toBe("warning");
    expect(truncated[0]?.message).toContain("and 200 more check.unresolved_name findings");
  });

  it("keeps the answer the same size however many names are undeclared", () => {
    const size = (count: number) => {
      const yaml = manyNames(count);
      return JSON.stringify(staticChecks(definitionOf(yaml), yaml)).length;
    };
    expect(size(2000)).toBeLessThan(size(200) * 1.2);
  });

  it("lists the secrets one field is missing in one warning, at most 10 by name", () => {
    const refs = Array.from({ length: 3000 }, (_, i) => `{{ env.S${i} }}`).join("");
    const yaml = `name: "atk:secrets"\ndescription: d\nversion: "1.0.0"\ntriggers:\n  - type: webhook\n    endpoint: /atk\n    secret: "${refs}"\nsteps:\n  - {id: a, type: user_message, message: hi}\n`;
    const warnings = missingSecretWarnings(definitionOf(yaml), yaml, new Set(["S0"]));
    expect(warnings).toHaveLength(1);
    // at the first missing reference, `{{ env.S1 }}`
    expect(warnings[0]).toMatchObject({ code: "check.missing_secret", line: 7, column: 26 });
    expect(warnings[0]?.message).toContain(
      "needs the secrets S1, S2, S3, S4, S5, S6, S7, S8, S9, S10 and 2989 more",
    );
  });
});

describe("did you mean", () => {
  it("is looked up for at most 50 distinct names, each once", () => {
    const yaml = manyNames(1200);
    const hints = new NameHints();
    staticChecks(definitionOf(yaml), yaml, { hints });
    expect(hints.lookups).toBe(MAX_HINTED_NAMES);
  });

  it("costs cells in proportion to the declared names, not their square", () => {
    const cells = (count: number) => {
      const yaml = manyNames(count);
      const hints = new NameHints();
      staticChecks(definitionOf(yaml), yaml, { hints });
      return hints.count.cells;
    };
    const single = cells(1200);
    expect(single).toBeGreaterThan(0);
    expect(cells(2400) / single).toBeLessThan(2.5);
  });

  it("is not looked up for a name over 64 characters", () => {
    const yaml = manyNames(50, 70);
    const hints = new NameHints();
    staticChecks(definitionOf(yaml), yaml, { hints });
    expect(hints.count.cells).toBe(0);
  });

  it("still finds the close name, and the banded distance agrees with the full one within its band", () => {
    expect(closestName("all_pased", ["all_passed", "all_failed"])).toBe("all_passed");
    const words = ["kitten", "sitting", "saturday", "sunday", "abcdef", "badcfe", "", "a", "ab", "ba"];
    for (const a of words) {
      for (const b of words) {
        const full = editDistance(a, b);
        for (const atMost of [0, 1, 2, 3]) {
          expect(editDistance(a, b, atMost)).toBe(Math.min(full, atMost + 1));
        }
      }
    }
  });

  it("stops a distance as soon as a row passes the limit", () => {
    const count = { cells: 0 };
    editDistance("a".repeat(60), "b".repeat(60), 3, count);
    expect(count.cells).toBeLessThan(7 * 5);
  });
});

describe("the declaration scan", () => {
  it.each([
    ["var(", "var(".repeat(500)],
    ["balanced var(…)", `${"var(".repeat(500)}${")".repeat(500)}`],
    ["var a var b", "var a ".repeat(500)],
    ["var a, b, …", `var ${Array.from({ length: 500 }, (_, i) => `a${i}`).join(", ")}`],
    ["nested arrows", `${"((".repeat(250)}x${")=>x)".repeat(250)}`],
  ])("is linear: %s twice as long takes about twice the steps", (_, source) => {
    const once = stepsOf(source);
    const twice = stepsOf(source + source);
    expect(twice / once).toBeLessThan(2.3);
  });

  it("still binds what declarations and parameters name", () => {
    expect(
      expressionNames("const a = 1, {b, c} = d; let e = (f) => f + a; var g = x in y").bare.map(
        (r) => r.name,
      ),
    ).toEqual(["d", "x", "y"]);
  });
});

describe("placing findings in one string", () => {
  it("reads the string once, however many offsets are placed", () => {
    const text = `message: "${"{{ x }} ".repeat(2000)}"\n`;
    const parsed = parseYamlSource(text);
    if (!parsed.ok) throw new Error("unparsed");
    const node = (parsed.source.document.contents as { items: { value: unknown }[] }).items[0]?.value;
    const placer = new ScalarPlacer(text, parsed.source.lineCounter);
    expect(placer.offsetInSource(node, 8)).toBe(18);
    const afterOne = placer.scanned;
    for (let offset = 0; offset < 14_000; offset += 7)
      expect(placer.offsetInSource(node, offset)).toBe(10 + offset);
    expect(placer.scanned).toBe(afterOne);
  });

  it("gives a template's parts the same positions as before, in one pass", () => {
    const text = "a {{ x }}\r\nb {{ y }}\u2028{{ z }}\n\n  {{ w }}";
    const parts = parseTemplate(text).filter((part) => part.kind === "expression");
    expect(parts.map((part) => part.kind === "expression" && [part.line, part.column])).toEqual(
      parts.map((part) => {
        const { line, column } = lineColumnAt(text, part.kind === "expression" ? part.offset : 0);
        return [line, column];
      }),
    );
  });
});

describe("the work budget", () => {
  it("stops the checks with one check.skipped warning", () => {
    const yaml = manyNames(300);
    const meter = new CheckBudget(1000);
    const found = staticChecks(definitionOf(yaml), yaml, { meter });
    expect(found.map((finding) => [finding.code, finding.severity])).toEqual([["check.skipped", "warning"]]);
    expect(found[0]?.message).toContain("static checks stopped: the file is too large to check fully");
  });

  it("is far from reached by an ordinary file", () => {
    const yaml = manyNames(20);
    const meter = new CheckBudget();
    staticChecks(definitionOf(yaml), yaml, { meter });
    expect(meter.spent).toBeLessThan(meter.limit / 100);
  });
});
