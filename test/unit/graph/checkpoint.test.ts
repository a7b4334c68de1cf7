/**
 * @module
 * Resume after eviction: a 1,000-task graph stored as one row per task, written back only from
 * the `changed` records each call returns, is rebuilt from the rows midway (with tasks still
 * claimed) and finished: nothing runs twice, and every task ends as in an uninterrupted run.
 */
import { describe, expect, it } from "vitest";
import {
  claimReady,
  completeTask,
  createGraphRun,
  graphRunRows,
  restoreGraphRun,
  type TaskGraph,
  type TaskRecord,
  type TaskSpec,
} from "../../../engine/graph/index.ts";
import { continueDriving, drive, statuses, TRUE_HOOKS } from "./drive.ts";

function randomGraph(size: number, seed: number): TaskGraph {
  let value = seed;
  const random = () => {
    value = (value + 0x6d2b79f5) | 0;
    let mixed = Math.imul(value ^ (value >>> 15), 1 | value);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  // lenient rules only, so that most of the graph runs: trigger rules are the property test's job
  const rules = ["all_done", "none_failed", "one_success"] as const;
  const tasks: TaskSpec[] = [];
  for (let i = 0; i < size; i++) {
    const needs = new Set<string>();
    for (let k = 0; k < 3 && i > 0; k++)
      if (random() < 0.7) needs.add(`t${Math.max(0, i - 1 - Math.floor(random() * 40))}`);
    tasks.push({
      id: `t${i}`,
      needs: [...needs],
      when: [],
      priority: Math.floor(random() * 5),
      triggerRule: random() < 0.6 ? "all_success" : rules[Math.floor(random() * rules.length)]!,
      retries: 0,
    });
  }
  return { tasks };
}

const fails = (id: string) => Number(id.slice(1)) > 900 && Number(id.slice(1)) % 23 === 0;
const outcome = (task: TaskRecord) =>
  fails(task.id)
    ? ({ status: "failed" } as const)
    : ({ status: "success", result: { id: task.id } } as const);

describe("checkpoint and resume", () => {
  it("resumes a 1,000-task graph from its rows midway with nothing run twice", () => {
    const graph = randomGraph(1_000, 7);
    const straight = drive(graph, { parallelLimit: 8, outcome });

    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    const rows = new Map<number, string>();
    const write = (records: readonly TaskRecord[]) => {
      for (const record of records) rows.set(record.index, JSON.stringify(record));
    };
    write(graphRunRows(state));
    const completed = new Map<string, number>();
    let now = 0;
    const running: TaskRecord[] = [];
    const half = Math.floor(straight.completions.length / 2);
    while (completed.size < half) {
      const claim = claimReady(state, { parallelLimit: 8, now: ++now });
      write(claim.changed);
      running.push(...claim.claimed);
      const task = running.shift()!;
      write(completeTask(state, task.id, outcome(task), { hooks: TRUE_HOOKS, now: ++now }).changed);
      completed.set(task.id, (completed.get(task.id) ?? 0) + 1);
    }
    const stillClaimed = running.map((task) => [task.id, task.attempts] as const);
    expect(stillClaimed.length).toBeGreaterThan(0);
    expect([...rows.values()]).toEqual(graphRunRows(state).map((record) => JSON.stringify(record)));

    // eviction: only the rows survive, in whatever order SQLite returns them
    const restored = restoreGraphRun(
      [...rows.values()].reverse().map((row) => JSON.parse(row) as TaskRecord),
    );
    expect(restored.counts).toEqual(state.counts);
    expect(restored.claimed).toBe(stillClaimed.length);
    for (const [id, attempt] of stillClaimed) {
      completeTask(restored, id, outcome({ id } as TaskRecord), { hooks: TRUE_HOOKS, now: ++now, attempt });
      completed.set(id, (completed.get(id) ?? 0) + 1);
    }
    const rest = continueDriving(restored, { parallelLimit: 8, outcome });
    for (const id of rest.completions) completed.set(id, (completed.get(id) ?? 0) + 1);

    expect([...completed.values()].every((count) => count === 1)).toBe(true);
    expect(statuses(restored)).toEqual(statuses(straight.state));
    expect(completed.size).toBe(straight.completions.length);
  });

  it("refuses rows that do not fit together", () => {
    const state = createGraphRun(randomGraph(3, 1), { hooks: TRUE_HOOKS, now: 0 });
    const rows = graphRunRows(state).map((row) => ({ ...row }));
    expect(() => restoreGraphRun([rows[0]!, rows[0]!, rows[2]!])).toThrow(/index 0/);
    expect(() => restoreGraphRun([rows[0]!, { ...rows[1]!, needs: [9] }, rows[2]!])).toThrow(/missing row 9/);
  });
});
