/**
 * @module
 * What the MCP side shows: counts per status, the critical path and Mermaid text.
 */
import { describe, expect, it } from "vitest";
import {
  createGraphRun,
  criticalPath,
  summarizeGraphRun,
  type TaskGraph,
  type TaskSpec,
  toMermaid,
} from "../../../engine/graph/index.ts";
import { drive, TRUE_HOOKS } from "./drive.ts";
import { fixtureGraph } from "./graph-fixtures.ts";

describe("summary, critical path and Mermaid", () => {
  const graph = fixtureGraph("diamond.yaml");

  it("counts tasks per status", () => {
    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    expect(summarizeGraphRun(state)).toEqual({
      total: 4,
      counts: { waiting: 3, ready: 1, running: 0, success: 0, failed: 0, skipped: 0, upstream_failed: 0 },
      claimed: 0,
      finished: false,
    });
    expect(summarizeGraphRun(drive(graph).state).counts.success).toBe(4);
  });

  it("draws the graph, and a run of it with a class per status", () => {
    expect(toMermaid(graph)).toBe(
      [
        "flowchart TD",
        '  t0["prepare"]',
        '  t1["left"]',
        '  t2["right<br/>priority 5"]',
        '  t3["merge"]',
        "  t0 --> t1",
        "  t0 --> t2",
        "  t1 --> t3",
        "  t2 --> t3",
        "",
      ].join("\n"),
    );
    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    const text = toMermaid(graph, state, { direction: "LR" });
    expect(text).toContain('flowchart LR\n  t0["prepare<br/>ready"]:::ready');
    expect(text).toContain('t3["merge<br/>waiting"]:::waiting');
    expect(text).toContain("classDef ready fill:");
    expect(text).not.toContain("classDef success");
  });

  it("cuts a large graph and says so", () => {
    const tasks: TaskSpec[] = Array.from({ length: 1_000 }, (_, i) => ({
      id: `t${i}`,
      needs: i === 0 ? [] : [`t${i - 1}`],
      when: [],
      priority: 0,
      triggerRule: "all_success",
      retries: 0,
    }));
    const text = toMermaid({ tasks }, undefined, { maxTasks: 10 });
    expect(text.split("\n").filter((line) => line.includes("-->"))).toHaveLength(9);
    expect(text).toContain("%% 990 more tasks not shown");
    expect(criticalPath({ tasks }).length).toBe(1_000);
  });

  it("the critical path of a run counts tasks until durations are recorded", () => {
    const empty: TaskGraph = { tasks: [] };
    expect(criticalPath(empty)).toEqual({ tasks: [], length: 0, unit: "tasks" });
    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    expect(criticalPath(state)).toEqual({ tasks: ["prepare", "left", "merge"], length: 3, unit: "tasks" });
  });
});
