/**
 * After a trap replaces the shared QuickJS module, every evaluator lets go of the old one at once,
 * even one that stays idle: a WebAssembly instance is about 15 MB, and a tenant that traps over and
 * over must not pin one generation per idle evaluator (the second attacker review of the fuel).
 * Garbage collection is observed in a plain Node process (`test/support/module-release-probe.mts`).
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const PROBE = new URL("../../support/module-release-probe.mts", import.meta.url).pathname;

describe("a replaced QuickJS module", () => {
  it("is released by idle evaluators as soon as it is discarded", () => {
    const output = execFileSync(process.execPath, ["--expose-gc", "--experimental-strip-types", PROBE], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(JSON.parse(output.trim().split("\n").at(-1) ?? "{}")).toEqual({
      code: "expression.budget_exceeded",
      released: true,
      idleAnswers: 4,
    });
  });
});
