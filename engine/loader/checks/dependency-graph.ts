/**
 * @module
 * The phase-6 `dependencies` graph names only tasks it defines (`loader.unknown_dependency`) and
 * has no cycle (`loader.dependency_cycle`).
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";
import { findCycles } from "./computed-cycles.ts";

function neededTasks(task: unknown, taskPath: YamlPath): { name: string; at: YamlPath }[] {
  if (Array.isArray(task)) {
    return task.flatMap((entry, index) =>
      typeof entry === "string" ? [{ name: entry, at: [...taskPath, index] }] : [],
    );
  }
  if (isPlainRecord(task) && Array.isArray(task.needs)) {
    return task.needs.flatMap((entry, index) =>
      typeof entry === "string" ? [{ name: entry, at: [...taskPath, "needs", index] }] : [],
    );
  }
  return [];
}

export function checkDependencyGraph(document: unknown): Finding[] {
  if (!isPlainRecord(document) || !isPlainRecord(document.dependencies)) return [];
  const tasks = document.dependencies;
  const findings: Finding[] = [];
  const graph = new Map<string, string[]>();
  for (const [name, task] of Object.entries(tasks)) {
    const needs = neededTasks(task, ["dependencies", name]);
    graph.set(
      name,
      needs.map((need) => need.name),
    );
    for (const need of needs) {
      if (!Object.hasOwn(tasks, need.name)) {
        findings.push(
          errorFinding(
            "loader.unknown_dependency",
            `task "${name}" needs "${need.name}", which the dependencies block does not define`,
            need.at,
          ),
        );
      }
    }
  }
  for (const cycle of findCycles(graph)) {
    findings.push(
      errorFinding(
        "loader.dependency_cycle",
        `dependencies form a cycle: ${[...cycle, cycle[0]].join(" → ")}`,
        ["dependencies", cycle[0]!],
      ),
    );
  }
  return findings;
}
