/**
 * @module
 * What validation reports. A diagnostic names the task it is about (`task`, the loader turns it
 * into `dependencies.<task>` and a line:column) and, when it is about one entry of the task, which
 * (`field`, `need`). `graphError` turns the errors into one `EngineError` for callers that throw.
 */
import { EngineError } from "../errors.ts";

export type GraphDiagnosticCode =
  | "graph.too_large"
  | "graph.bad_task_name"
  | "graph.duplicate_task"
  | "graph.invalid_task"
  | "graph.unknown_task"
  | "graph.self_edge"
  | "graph.cycle"
  | "graph.dynamic_cycle"
  | "graph.edge_into_finished"
  | "graph.bad_priority"
  | "graph.duplicate_need"
  | "graph.unreachable";

export interface GraphDiagnostic {
  code: GraphDiagnosticCode;
  message: string;
  severity: "error" | "warning";
  /** the task the problem is about */
  task?: string;
  /** the entry of the task: its `needs` (then `need` says which) or its `priority` */
  field?: "needs" | "priority";
  /** the needed task name the problem is about */
  need?: string;
}

export function graphDiagnostic(
  code: GraphDiagnosticCode,
  message: string,
  where: Pick<GraphDiagnostic, "task" | "field" | "need"> = {},
  severity: GraphDiagnostic["severity"] = "error",
): GraphDiagnostic {
  return { code, message, severity, ...where };
}

export function hasErrors(diagnostics: readonly GraphDiagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === "error");
}

/** The errors among `diagnostics` as one `EngineError` (code of the first, every message listed). */
export function graphError(diagnostics: readonly GraphDiagnostic[]): EngineError {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  const first = errors[0];
  if (first === undefined) return new EngineError("graph.internal", "graphError called without errors");
  const shown = errors.slice(0, 10).map((error) => error.message);
  const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more` : "";
  const options = first.task === undefined ? {} : { path: `dependencies.${first.task}` };
  return new EngineError(first.code, `${shown.join("; ")}${more}`, options);
}
