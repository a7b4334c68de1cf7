/**
 * @module
 * The `dependencies` block passes the graph validation of `engine/graph` (`validateGraph`):
 * priorities are integers in range (`graph.bad_priority`), no task takes a reserved name
 * (`graph.bad_task_name`), the graph is within its quota (`graph.too_large`). Unknown tasks,
 * self-edges and cycles are `dependency-graph.ts`'s findings (`loader.unknown_dependency`,
 * `loader.dependency_cycle`) and are not repeated. The graph's warnings (tasks that can never
 * run, duplicate needs) are left out: every finding of a semantic check fails the load.
 */
import { dependencyTaskSchema } from "../../dialect/index.ts";
import {
  type GraphDiagnostic,
  type TaskSpec,
  taskSpecFromDialect,
  validateGraph,
} from "../../graph/index.ts";
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord, type PlainRecord } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";

const REPORTED_ELSEWHERE = new Set(["graph.unknown_task", "graph.self_edge", "graph.cycle"]);

export function checkDependencies(document: unknown): Finding[] {
  if (!isPlainRecord(document) || !isPlainRecord(document.dependencies)) return [];
  const block = document.dependencies;
  const tasks: TaskSpec[] = Object.entries(block).map(([name, value]) => {
    const parsed = dependencyTaskSchema.safeParse(value);
    if (parsed.success) return taskSpecFromDialect(name, parsed.data);
    return { id: name, needs: [], when: [], priority: 0, triggerRule: "all_success", retries: 0 };
  });
  return validateGraph({ tasks }, { reachability: false })
    .filter((diagnostic) => diagnostic.severity === "error" && !REPORTED_ELSEWHERE.has(diagnostic.code))
    .map((diagnostic) => {
      const finding = errorFinding(diagnostic.code, diagnostic.message, pathOf(diagnostic, block));
      return diagnostic.field === undefined ? { ...finding, atKey: true } : finding;
    });
}

/** Where in the file a graph diagnostic points: the task's key, or its `priority` entry. */
function pathOf(diagnostic: GraphDiagnostic, block: PlainRecord): YamlPath {
  if (diagnostic.task === undefined) return ["dependencies"];
  const taskPath = ["dependencies", diagnostic.task];
  const task = block[diagnostic.task];
  if (diagnostic.field !== "priority") return taskPath;
  if (!Array.isArray(task)) return [...taskPath, "priority"];
  const entry = task.findLastIndex((item) => isPlainRecord(item) && "priority" in item);
  return entry === -1 ? taskPath : [...taskPath, entry, "priority"];
}
