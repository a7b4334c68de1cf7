/**
 * Checkpoint format 2 (durable-objects/run/checkpoint-format.ts): frames carry their place by
 * step ids; a format-1 row (or one without a format) is upgraded from the run's own definition
 * when read and the run goes on from it; a format this code does not know, or an address that
 * does not fit, is `storage.corrupt`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "../../../durable-objects/run/checkpoint-format.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import type { RunState } from "../../../engine/machine/index.ts";
import { loadFixture, loadSource, ScriptedAgent } from "../machine/agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const REVIEW = loadSource(
  readFileSync(new URL("../../fixtures/versions/review-v1.yaml", import.meta.url), "utf8"),
);

/** The review run inside its loop with `fix` handed out. */
function inLoop(): ScriptedAgent {
  const agent = new ScriptedAgent(REVIEW, evaluator, { inputs: { files: ["a.ts"] } });
  agent.steps();
  agent.complete("ask_scope", "all");
  agent.steps();
  agent.complete("lint", {});
  expect(agent.steps().map((step) => step.id)).toEqual(["fix"]);
  return agent;
}

/** The row an older build wrote: no addresses, `format: 1` (or no format at all). */
function formatOneRow(run: RunState, format: 1 | undefined): string {
  const strip = (frames: RunState["main"]["frames"]) =>
    frames.map(({ address: _address, ...frame }) => frame);
  const old = { ...run, main: { ...run.main, frames: strip(run.main.frames) } };
  return JSON.stringify(format === undefined ? old : { format, ...old });
}

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("checkpoint format 2", () => {
  it("writes every frame's list and step by ids", () => {
    const stored = JSON.parse(encodeCheckpoint(inLoop().run, REVIEW));
    expect(stored.format).toBe(2);
    expect(stored.main.frames.map((frame: { address: unknown }) => frame.address)).toEqual([
      { list: ["steps"], at: "report" },
      { list: ["steps", "review_loop", "body"], at: "fix" },
    ]);
  });

  it.each([1, undefined] as const)(
    "upgrades a format-%s row from the run's definition, and the run goes on",
    (format) => {
      const agent = inLoop();
      const upgraded = decodeCheckpoint(formatOneRow(agent.run, format), REVIEW);
      expect(upgraded.main.frames).toEqual([
        { ref: ["steps"], pc: 3, address: { list: ["steps"], at: "report" } },
        {
          ref: ["steps", 2, "body"],
          pc: 1,
          loop: expect.objectContaining({ stepId: "review_loop" }),
          address: { list: ["steps", "review_loop", "body"], at: "fix" },
        },
      ]);
      // written again as format 2, read back equal
      expect(decodeCheckpoint(encodeCheckpoint(upgraded, REVIEW), REVIEW)).toEqual(upgraded);
      agent.run = upgraded;
      agent.complete("fix", "done");
      expect(agent.steps().map((step) => step.id)).toEqual(["lint"]);
    },
  );

  it("addresses sub-agent task threads under their task", () => {
    const definition = loadFixture("sub-agents.yaml");
    const agent = new ScriptedAgent(definition, evaluator, { inputs: { files: ["a.ts"] } });
    agent.steps();
    agent.steps("process_file.item0");
    const run = decodeCheckpoint(formatOneRow(agent.run, 1), definition);
    expect(run.tasks["process_file.item0"]!.frames[0]!.address).toEqual({
      list: ["sub_agent_tasks", "process_file", "steps"],
      at: "lint",
    });
  });

  it.each([
    ["format 3 (a newer build's)", { format: 3 }],
    ["format 0", { format: 0 }],
    ["a fractional format", { format: 1.5 }],
    ["a format given as text", { format: "2" }],
  ])("refuses %s with storage.corrupt", (_what, extra) => {
    const text = JSON.stringify({ ...JSON.parse(encodeCheckpoint(inLoop().run, REVIEW)), ...extra });
    expect(codeOf(() => decodeCheckpoint(text, REVIEW))).toBe("storage.corrupt");
  });

  it("refuses an address that is not ids (storage.corrupt)", () => {
    const stored = JSON.parse(encodeCheckpoint(inLoop().run, REVIEW));
    stored.main.frames[0].address = { list: ["steps", 2], at: "report" };
    expect(codeOf(() => decodeCheckpoint(JSON.stringify(stored), REVIEW))).toBe("storage.corrupt");
  });
});
