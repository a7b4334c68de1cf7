/**
 * @module
 * The static checks on every workflow the project holds: AroMCP's own files (current and
 * phase-5 era, as their project wrote them), the seed's example and every other fixture that
 * loads. None gets a `check.*` error, whatever the tenant's secrets; the AroMCP files and the
 * seed's example get exactly the warnings listed here, each a true finding (the comment says why).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadWorkflow, publishProblems } from "../../../engine/loader/index.ts";
import { AROMCP_FILES, AROMCP_PHASE5_FILES, fixturePath, fixtureText } from "./fixture-text.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function checkFindings(name: string, secretNames: ReadonlySet<string> = new Set()): string[] {
  const yaml = fixtureText(name);
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) return [];
  return publishProblems(yaml, loaded.definition, evaluator, { secretNames })
    .filter((problem) => problem.code.startsWith("check."))
    .map((problem) => `${problem.line}:${problem.column} ${problem.severity} ${problem.code}`);
}

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith(".yaml") ? [path] : [];
  });
}

const ROOT = fixturePath("");
const EVERY_FIXTURE = yamlFiles(ROOT).map((path) => relative(ROOT, path));

/** AroMCP's own workflows: what the checks find in each, and why each finding is true. */
const AROMCP_FINDINGS: Record<string, string[]> = {
  "aromcp/analyze-dependencies.yaml": [],
  "aromcp/code-standards-enforce.yaml": [
    // wait_for_completion waits on `!this.all_processed`, but its body (a message and a wait)
    // writes nothing the computed field reads: only an agent's state update could end it
    "136:21 warning check.loop_condition_constant",
    // "Successfully enforced standards ... in {{ loop.iteration }} attempts" sits after the retry
    // loop has ended: it renders "in  attempts" (and the same in three more messages)
    "335:89 warning check.loop_outside_loop",
    "343:88 warning check.loop_outside_loop",
    "354:37 warning check.loop_outside_loop",
    "368:29 warning check.loop_outside_loop",
  ],
  "aromcp/test-agent-communication.yaml": [],
  "aromcp/test-simple.yaml": [],
  // "... after {{ loop.iteration }} attempts" in a conditional after the loop
  "aromcp/test-sub-agents.yaml": ["279:72 warning check.loop_outside_loop"],
  "aromcp/phase5-era/analyze-dependencies.yaml": [],
  // the phase-5 form of the same wait loop
  "aromcp/phase5-era/code-standards-enforce.yaml": ["128:17 warning check.loop_condition_constant"],
  "aromcp/phase5-era/test-simple.yaml": [],
};

describe("static checks on the project's workflows", () => {
  it("lists every AroMCP file", () => {
    expect(Object.keys(AROMCP_FINDINGS).sort()).toEqual([...AROMCP_FILES, ...AROMCP_PHASE5_FILES].sort());
  });

  it.each(Object.entries(AROMCP_FINDINGS))("%s gets exactly its true findings", (name, expected) => {
    expect(checkFindings(name)).toEqual(expected);
  });

  it("names the seed example's undeclared build_version and all_checks_passed, and its unset secrets", () => {
    expect(checkFindings("loader/valid/seed-example.yaml")).toEqual([
      "17:14 warning check.missing_secret",
      "23:22 warning check.unresolved_name", // config.deep_check: the file has no config block
      "29:22 warning check.unresolved_name", // all_checks_passed
      "34:11 warning check.missing_secret",
      "46:20 warning check.unresolved_name", // build_version
      "49:15 warning check.missing_secret",
    ]);
    const secrets = new Set(["WEBHOOK_SECRET", "REDIS_URL", "API_TOKEN"]);
    expect(checkFindings("loader/valid/seed-example.yaml", secrets)).toEqual([
      "23:22 warning check.unresolved_name",
      "29:22 warning check.unresolved_name",
      "46:20 warning check.unresolved_name",
    ]);
  });

  it.each(EVERY_FIXTURE)("%s gets no check error", (name) => {
    expect(checkFindings(name).filter((finding) => finding.includes(" error "))).toEqual([]);
  });
});
