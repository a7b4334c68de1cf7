/**
 * @module
 * `edgeflow validate` compiles the expressions of a file that loads, as the server does, and
 * prints each broken one as `file:line:col code message`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePath } from "../loader/fixture-text.ts";

const CLI = fileURLToPath(new URL("../../../cli/edgeflow.ts", import.meta.url));

function run(...args: string[]): { code: number | null; lines: string[] } {
  const child = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", CLI, ...args], {
    encoding: "utf8",
  });
  return { code: child.status, lines: child.stdout.split("\n").filter(Boolean) };
}

describe("edgeflow validate: expressions", () => {
  it("prints every broken expression with its line and column and exits 1", () => {
    const file = fixturePath("loader/expressions/broken.yaml");
    const result = run("validate", file);
    expect(result.code).toBe(1);
    expect(result.lines).toContain(
      `${file}:9:26 expression.syntax transform "input *": SyntaxError: unexpected end of input`,
    );
    expect(result.lines).toContain(
      `${file}:24:23 expression.forbidden {{ this.constructor }}: 'constructor' is not allowed in expressions`,
    );
    // and the static checks' warnings: this.count is declared nowhere, ...
    expect(result.lines.at(-1)).toBe("1 file(s) checked: 10 error(s), 10 warning(s)");
  });

  it("passes the expressions of valid files and of upgraded phase-5 files", () => {
    const result = run(
      "validate",
      fixturePath("loader/expressions/every-site.yaml"),
      fixturePath("aromcp/code-standards-enforce.yaml"),
    );
    // every-site.yaml reads names it never declares; code-standards-enforce reads loop.iteration after its loop
    expect(result.code).toBe(0);
    expect(result.lines.filter((line) => !line.includes(" warning check."))).toEqual([
      "2 file(s) checked: 0 error(s), 37 warning(s)",
    ]);
    const phase5 = run("validate", fixturePath("loader/expressions/broken-phase5.yaml"));
    expect(phase5.code).toBe(1);
    expect(phase5.lines.filter((line) => / expression\./.test(line))).toHaveLength(3);
  });

  it("refuses env outside the capability fields, at the name, as a publish would", () => {
    const file = fixturePath("loader/expressions/reads-env.yaml");
    const result = run("validate", file);
    expect(result.code).toBe(1);
    expect(result.lines.filter((line) => line.includes("expression.env_not_allowed"))).toHaveLength(6);
    expect(result.lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${file}:27:36 expression\\.env_not_allowed `)),
    );
    expect(result.lines.at(-1)).toMatch(/^1 file\(s\) checked: 6 error\(s\), /);
  });

  it("reports trigger problems as a publish would (a cron that cannot fire)", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeflow-cli-"));
    const file = join(dir, "bad-cron.yaml");
    writeFileSync(
      file,
      `name: "cli:bad-cron"
description: "a schedule that never fires"
version: "1.0.0"
triggers:
  - type: schedule
    cron: "0 0 31 2 *"
steps:
  - id: "m"
    type: "user_message"
    message: "hi"
`,
    );
    try {
      const result = run("validate", file);
      expect(result.code).toBe(1);
      expect(result.lines[0]).toMatch(new RegExp(`^${file}:6:\\d+ schedule\\.bad_cron `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
