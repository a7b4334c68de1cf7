/**
 * @module
 * Dependency graphs (phase 6 `dependencies` and `dependency_flow`), pure: the graph model and
 * its validation, and an incremental scheduler over a plain-data run state that the RunDO keeps
 * as one SQLite row per task. No I/O, no clock (`now` is an argument), no expression evaluation
 * (conditions and `for_each` sources go to the caller's `GraphHooks`).
 */

export { graphRunRows, restoreGraphRun } from "./checkpoint.ts";
export {
  type ExpireOptions,
  type ExpireResult,
  expireClaims,
  holdClaim,
  nextDeadline,
  type ReleaseOptions,
  releaseTask,
  renewClaim,
} from "./claims.ts";
export { type CriticalPath, criticalPath } from "./critical-path.ts";
export {
  type GraphDiagnostic,
  type GraphDiagnosticCode,
  graphError,
  hasErrors,
} from "./diagnostics.ts";
export {
  type AddTasksOptions,
  type AddTasksResult,
  addTasks,
  type GraphEdge,
  validateAddition,
} from "./dynamic-tasks.ts";
export { type GraphHooks, NO_EXPRESSION_HOOKS } from "./hooks.ts";
export { type MermaidOptions, toMermaid } from "./mermaid.ts";
export {
  graphFromDependencies,
  type TaskGraph,
  type TaskSpec,
  type TriggerRule,
  taskSpecFromDialect,
} from "./model.ts";
export {
  DEFAULT_MAX_EXPIRATIONS,
  MAX_GRAPH_EDGES,
  MAX_GRAPH_TASKS,
  MAX_PRIORITY,
  MIN_PRIORITY,
} from "./quotas.ts";
export {
  findTask,
  type GraphRunState,
  isFinal,
  isGraphFinished,
  TASK_STATUSES,
  type TaskError,
  type TaskRecord,
  type TaskStatus,
} from "./run-state.ts";
export {
  type ClaimOptions,
  type ClaimResult,
  type CompleteOptions,
  type CompleteResult,
  type CreateGraphRunOptions,
  claimReady,
  completeTask,
  createGraphRun,
  nextReady,
  type TaskOutcome,
} from "./scheduler.ts";
export {
  type GraphSummary,
  summarizeGraphRun,
  type TaskScopeEntry,
  taskScopeEntry,
  tasksScope,
} from "./summary.ts";
export { type Decision, decide } from "./trigger-rules.ts";
export { type ValidateGraphOptions, validateGraph } from "./validate.ts";
