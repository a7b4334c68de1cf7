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
  it("passes valid files silently but for the summary and the static checks' warnings", () => {
    const everyStep = fixturePath("loader/valid/every-step.yaml");
    const result = run("validate", everyStep, fixturePath("aromcp/test-simple.yaml"));
    expect(result.code).toBe(0);
    expect(result.lines).toEqual([
      `${everyStep}:81:13 warning check.unreachable_step 1 step(s) after the continue "skip" never run: it always leaves this list (move them before it, or give it a when)`,
      "2 file(s) checked: 0 error(s), 1 warning(s)",
    ]);
  });

  it("prints the seed example's undeclared names as warnings with line:column, and exits 0", () => {
    const seed = fixturePath("loader/valid/seed-example.yaml");
    const result = run("validate", seed);
    expect(result.code).toBe(0);
    expect(result.lines.filter((line) => line.includes("check.unresolved_name"))).toEqual([
      `${seed}:23:22 warning check.unresolved_name config.deep_check is not a key of the file's config block, so it reads as undefined`,
      `${seed}:29:22 warning check.unresolved_name "all_checks_passed" is declared nowhere in the file (no input, state field, computed field, global or loop variable, and no step writes it), so it reads as undefined: declare it (inputs, default_state) or write it in a state_update`,
      `${seed}:46:20 warning check.unresolved_name "build_version" is declared nowhere in the file (no input, state field, computed field, global or loop variable, and no step writes it), so it reads as undefined: declare it (inputs, default_state) or write it in a state_update`,
    ]);
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
    const eventDriven = fixturePath("loader/valid/event-driven.yaml");
    const result = run("validate", eventDriven, file);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `${eventDriven}:14:5 warning version.deprecated_feature "inputs.legacy_flag" is deprecated (free text, naming nothing in this version): warned at publish only`,
      `${file}:6:5 loader.missing_field missing required field "message"`,
      `${file}:8:5 loader.unknown_key unknown key "mesage"`,
      "2 file(s) checked: 2 error(s), 1 warning(s)",
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
