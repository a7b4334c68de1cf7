/**
 * @module
 * `edgeflow validate <file> --against <old.yaml>` as users run it (a child process): the
 * differences printed one per line with their breaking flag, exit 1 with `publish.breaking_change`
 * on the file's version for a breaking change on a minor bump, exit 0 on a major bump, when
 * `breaking_changes` declares it, or when nothing breaks; exit 2 when --against has no file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../../cli/edgeflow.ts", import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), "edgeflow-against-"));

function run(...args: string[]): { code: number | null; lines: string[]; stderr: string } {
  const child = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", CLI, ...args], {
    encoding: "utf8",
  });
  return { code: child.status, lines: child.stdout.split("\n").filter(Boolean), stderr: child.stderr };
}

function file(name: string, version: string, extra = "", inputs = ""): string {
  const path = join(DIR, name);
  writeFileSync(
    path,
    `name: "release:notes"
description: "draft release notes"
version: "${version}"
${extra}inputs:
  tag: { type: string, required: false, default: "HEAD" }
${inputs}steps:
  - id: draft
    type: agent_prompt
    prompt: "Draft notes for {{ inputs.tag }}"
`,
  );
  return path;
}

const OLD = file("old.yaml", "1.0.0");
const TICKET = "  ticket: { type: string }\n";

describe("edgeflow validate --against", () => {
  it("prints the differences and refuses a breaking change on a minor bump (exit 1)", () => {
    const next = file("minor.yaml", "1.1.0", "", TICKET);
    const result = run("validate", next, "--against", OLD);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toBe(`${next}: 1 difference(s) against release:notes 1.0.0 (${OLD})`);
    expect(result.lines[1]).toMatch(
      new RegExp(`^${next}: breaking input_added inputs\\.ticket new required input`),
    );
    expect(result.lines[2]).toMatch(
      new RegExp(
        `^${next}:3:10 publish\\.breaking_change Version 1\\.1\\.0 has 1 breaking change against 1\\.0\\.0`,
      ),
    );
    expect(result.lines.at(-1)).toBe("1 file(s) checked: 1 error(s), 0 warning(s)");
  });

  it("accepts the same change on a major bump or declared in breaking_changes (exit 0)", () => {
    const major = file("major.yaml", "2.0.0", "", TICKET);
    expect(run("validate", major, `--against=${OLD}`).code).toBe(0);
    const declared = file("declared.yaml", "1.1.0", 'breaking_changes: ["ticket is required"]\n', TICKET);
    const result = run("validate", "--against", OLD, declared);
    expect(result.code).toBe(0);
    expect(result.lines[1]).toContain("breaking input_added inputs.ticket");
  });

  it("prints compatible differences and exits 0", () => {
    const next = file("optional.yaml", "1.0.1", "", "  verbose: { type: boolean, required: false }\n");
    const result = run("validate", next, "--against", OLD);
    expect(result.code).toBe(0);
    expect(result.lines[1]).toBe(
      `${next}: compatible input_added inputs.verbose new optional input "verbose"`,
    );
  });

  it("warns about deprecated_features entries as publish does", () => {
    const next = file("deprecated.yaml", "1.0.1", 'deprecated_features: ["inputs.tag", "old notes"]\n');
    const result = run("validate", next, "--against", OLD);
    expect(result.code).toBe(0);
    expect(result.lines.filter((line) => line.includes("version.deprecated_feature"))).toEqual([
      `${next}:4:23 warning version.deprecated_feature "inputs.tag" is deprecated (input tag): runs of this version are warned at start`,
      `${next}:4:37 warning version.deprecated_feature "old notes" is deprecated (free text, naming nothing in this version): warned at publish only`,
    ]);
  });

  it("exits 2 when --against names no file", () => {
    const result = run("validate", OLD, "--against");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--against needs a file");
  });
});
