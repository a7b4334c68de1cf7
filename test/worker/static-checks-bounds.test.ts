/**
 * The static checks stay bounded through the MCP tools, in workerd (the attack files of issue 12,
 * turned into a regression test: work and answer size are asserted, never time). A 45 KB file with
 * 1,200 declared fields and 1,200 undeclared names answers 100 `check.unresolved_name` warnings and
 * one `check.truncated`; a 1 MiB-limit file of `var(var(…` expressions passes the work budget and
 * answers one `check.skipped`; a webhook secret with 8,000 unset `{{ env.S… }}` references gets one
 * `check.missing_secret` at publish (computed in the TenantDO), naming ten of them.
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";

interface Warning {
  code: string;
  message: string;
}

function manyNames(count: number, length = 12): string {
  const name = (prefix: string, i: number) => `${prefix}${i.toString(36)}`.padEnd(length, "_");
  const state = Array.from({ length: count }, (_, i) => `    ${name("a", i)}: 0`).join("\n");
  const reads = Array.from({ length: count }, (_, i) => `{{ ${name("b", i)} }}`).join("");
  return `name: "atk:names"
description: d
version: 1.0.0
default_state:
  state:
${state}
steps:
  - id: s
    type: user_message
    message: "${reads}"
`;
}

function nestedDeclarations(expressions: number): string {
  const part = "var(".repeat(1020);
  const steps = Array.from(
    { length: expressions },
    (_, i) => `  - id: s${i}\n    type: user_message\n    message: "{{ ${part} }}"`,
  ).join("\n");
  return `name: "atk:vars"\ndescription: d\nversion: 1.0.0\nsteps:\n${steps}\n`;
}

function countBy(warnings: readonly Warning[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { code } of warnings) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

describe("static checks on hostile files", () => {
  it("answers at most 100 findings of a code and counts the rest", { timeout: 120_000 }, async () => {
    const { apiKey } = await newTenant("bounds-names");
    const yaml = manyNames(1200);
    expect(yaml.length).toBeLessThan(50_000);
    const answer = await callTool(apiKey, "workflow_validate", { yaml });
    expect(answer.isError, answer.text.slice(0, 300)).toBe(false);
    const warnings = answer.structured.warnings as Warning[];
    expect(countBy(warnings)).toEqual({ "check.unresolved_name": 100, "check.truncated": 1 });
    expect(warnings.find((warning) => warning.code === "check.truncated")?.message).toContain(
      "and 1100 more check.unresolved_name findings",
    );
    expect(answer.text.length).toBeLessThan(100_000);
  });

  it("stops the checks of a file past the work budget with one check.skipped", {
    timeout: 120_000,
  }, async () => {
    const { apiKey } = await newTenant("bounds-vars");
    const yaml = nestedDeclarations(240);
    expect(yaml.length).toBeLessThan(1024 * 1024);
    const answer = await callTool(apiKey, "workflow_validate", { yaml });
    expect(answer.isError, answer.text.slice(0, 300)).toBe(false);
    const warnings = answer.structured.warnings as Warning[];
    expect(warnings.filter((warning) => warning.code.startsWith("check."))).toEqual([
      expect.objectContaining({
        code: "check.skipped",
        message: expect.stringContaining("static checks stopped: the file is too large to check fully"),
      }),
    ]);
  });

  it("gives one missing-secret warning per field at publish, however many references", {
    timeout: 120_000,
  }, async () => {
    const { apiKey } = await newTenant("bounds-secrets");
    const refs = Array.from({ length: 8000 }, (_, i) => `{{ env.S${i} }}`).join("");
    const yaml = `name: "atk:secrets"
description: d
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: /atk
    secret: "${refs}"
steps:
  - {id: a, type: user_message, message: hi}
`;
    const published = await callTool(apiKey, "workflow_publish", { yaml });
    expect(published.isError, published.text.slice(0, 300)).toBe(false);
    const warnings = published.structured.warnings as Warning[];
    expect(countBy(warnings)).toEqual({ "check.missing_secret": 1 });
    expect(warnings[0]?.message).toContain(
      "needs the secrets S0, S1, S2, S3, S4, S5, S6, S7, S8, S9 and 7990 more",
    );
    expect(published.text.length).toBeLessThan(10_000);
  });
});
