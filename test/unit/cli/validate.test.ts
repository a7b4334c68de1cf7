/**
 * @module
 * `edgeflow validate`, run as users run it: a child process on fixture files, checking the
 * printed `file:line:col code message` lines and the exit codes (0 ok or warnings, 1 errors, 2 usage).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePath } from "../loader/fixture-text.ts";

const CLI = fileURLToPath(new URL("../../../cli/edgeflow.ts", import.meta.url));

function run(...args: string[]): { code: number | null; lines: string[]; stderr: string } {
  const child = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", CLI, ...args], {
    encoding: "utf8",
  });
  return { code: child.status, lines: child.stdout.split("\n").filter(Boolean), stderr: child.stderr };
}

describe("edgeflow validate", () => {
  it("passes valid files silently but for the summary", () => {
    const result = run(
      "validate",
      fixturePath("loader/valid/every-step.yaml"),
      fixturePath("aromcp/test-simple.yaml"),
    );
    expect(result.code).toBe(0);
    expect(result.lines).toEqual(["2 file(s) checked: 0 error(s), 0 warning(s)"]);
  });

  it("passes phase-5 files and prints their warnings, marked", () => {
    const file = fixturePath("loader/phase5/counter.yaml");
    const result = run("validate", file);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toBe(
      `${file}:3:1 warning deprecated.missing_version the file has no version: "0.0.0" assumed; add a semantic version`,
    );
    expect(result.lines.at(-1)).toBe("1 file(s) checked: 0 error(s), 7 warning(s)");
  });

  it("prints every error as file:line:col code message and exits 1", () => {
    const file = fixturePath("loader/invalid/unknown-key.yaml");
    const result = run("validate", fixturePath("loader/valid/event-driven.yaml"), file);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `${file}:6:5 loader.missing_field missing required field "message"`,
      `${file}:8:5 loader.unknown_key unknown key "mesage"`,
      "2 file(s) checked: 2 error(s), 0 warning(s)",
    ]);
  });

  it("reports a file it cannot read as an error", () => {
    const result = run("validate", "does-not-exist.yaml");
    expect(result.code).toBe(1);
    expect(result.lines[0]).toBe("does-not-exist.yaml:1:1 cli.read_failed cannot read the file (ENOENT)");
  });

  it("exits 2 on usage errors", () => {
    expect(run().code).toBe(2);
    expect(run("validate").code).toBe(2);
    expect(run("validate", "--strict", "a.yaml").code).toBe(2);
    const unknown = run("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it("prints help with exit 0", () => {
    const result = run("--help");
    expect(result.code).toBe(0);
    expect(result.lines.join("\n")).toContain("validate <file.yaml>...");
  });
});
