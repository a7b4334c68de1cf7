/**
 * @module
 * A deliberately naive model of how a graph ends, written apart from the scheduler: repeat a
 * full scan until nothing changes, deciding a task only once every task it needs has ended,
 * from the trigger-rule table in docs/graphs.md. No counters, no heap, no early decisions.
 */
import type { TriggerRule } from "../../../engine/graph/index.ts";

export interface ReferenceTask {
  id: string;
  needs: string[];
  rule: TriggerRule;
  /** what the conditions come to: all true, one false, or one throws */
  condition: "true" | "false" | "throws";
  retries: number;
  /** failed attempts before it succeeds (no fan-out) */
  failures: number;
  /** fan-out: failed attempts before success, per branch */
  branches?: number[];
}

type Ending = "success" | "failed" | "skipped" | "upstream_failed";

export function referenceEndings(tasks: readonly ReferenceTask[]): Map<string, Ending> {
  const ending = new Map<string, Ending>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const task of tasks) {
      if (ending.has(task.id)) continue;
      const upstream = task.needs.map((need) => ending.get(need));
      if (upstream.some((value) => value === undefined)) continue;
      for (const [id, value] of fate(task, upstream as Ending[])) ending.set(id, value);
      progress = true;
    }
  }
  return ending;
}

function fate(task: ReferenceTask, upstream: Ending[]): [string, Ending][] {
  const total = upstream.length;
  const succeeded = upstream.filter((value) => value === "success").length;
  const failed = upstream.filter((value) => value === "failed" || value === "upstream_failed").length;
  const skipped = upstream.filter((value) => value === "skipped").length;
  let runs = true;
  let otherwise: Ending = "skipped";
  if (total > 0) {
    switch (task.rule) {
      case "all_success":
        runs = succeeded === total;
        otherwise = failed > 0 ? "upstream_failed" : "skipped";
        break;
      case "all_failed":
        runs = failed === total;
        break;
      case "all_done":
        runs = true;
        break;
      case "one_success":
        runs = succeeded > 0;
        otherwise = skipped === total ? "skipped" : "upstream_failed";
        break;
      case "one_failed":
        runs = failed > 0;
        break;
      case "none_failed":
        runs = failed === 0;
        otherwise = "upstream_failed";
        break;
    }
  }
  if (!runs) return [[task.id, otherwise]];
  if (task.condition === "false") return [[task.id, "skipped"]];
  if (task.condition === "throws") return [[task.id, "failed"]];
  if (task.branches === undefined) return [[task.id, task.failures > task.retries ? "failed" : "success"]];
  const branches = task.branches.map((failures, index): [string, Ending] => [
    `${task.id}[${index}]`,
    failures > task.retries ? "failed" : "success",
  ]);
  const allSucceeded = branches.every(([, value]) => value === "success");
  return [...branches, [task.id, allSucceeded ? "success" : "failed"]];
}
