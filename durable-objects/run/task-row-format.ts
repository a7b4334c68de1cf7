/**
 * @module
 * The stored form of one dependency-graph task (`graph_tasks.record`): the scheduler's
 * `TaskRecord` as JSON, parsed when the graph is restored from its rows (once per wake, O(tasks)).
 * The scheduler's own fields are checked one by one; results and items (workflow data) are passed
 * through, and a task's `run` steps, which the dialect parsed when the run started or the task
 * was added, are checked to be steps (`id` and `type`) without parsing each again. Rows are
 * written with the run's checkpoint and follow its format (`checkpoint-format.ts`).
 */
import { z } from "zod";
import { type Step, triggerRuleSchema } from "../../engine/dialect/index.ts";
import { type ErrorCode, isErrorCode } from "../../engine/error-codes.ts";
import { TASK_STATUSES, type TaskRecord } from "../../engine/graph/index.ts";
import { checkStored, parseStoredJson } from "../storage/stored-json.ts";

function isStepLike(value: unknown): value is Step {
  if (typeof value !== "object" || value === null) return false;
  const { id, type } = value as { id?: unknown; type?: unknown };
  return typeof id === "string" && typeof type === "string";
}

const optionalNumber = z.number().optional();

const taskRecordSchema: z.ZodType<TaskRecord> = z.looseObject({
  index: z.number().int().nonnegative(),
  id: z.string(),
  origin: z.enum(["graph", "dynamic", "branch"]),
  status: z.enum(TASK_STATUSES),
  priority: z.number(),
  triggerRule: triggerRuleSchema,
  when: z.array(z.union([z.string(), z.boolean()])),
  retries: z.number().int(),
  timeoutSeconds: optionalNumber,
  run: z.array(z.custom<Step>(isStepLike, "expected a step")).optional(),
  forEach: z.union([z.string(), z.array(z.unknown())]).optional(),
  needs: z.array(z.number().int()),
  upstreamPending: z.number().int(),
  upstreamSucceeded: z.number().int(),
  upstreamFailed: z.number().int(),
  upstreamSkipped: z.number().int(),
  attempts: z.number().int(),
  failures: z.number().int(),
  expirations: z.number().int(),
  claimedAt: optionalNumber,
  deadline: optionalNumber,
  startedAt: optionalNumber,
  finishedAt: optionalNumber,
  result: z.unknown().optional(),
  results: z.array(z.unknown()).optional(),
  error: z.looseObject({ code: z.custom<ErrorCode>(isErrorCode), message: z.string() }).optional(),
  parent: z.number().int().optional(),
  item: z.unknown().optional(),
  branchStart: z.number().int().optional(),
  branchCount: z.number().int().optional(),
  branchesPending: z.number().int().optional(),
  addedBy: z.string().optional(),
});

/** One `graph_tasks.record` as a `TaskRecord`, or `storage.corrupt`. */
export function decodeTaskRow(text: string): TaskRecord {
  return checkStored(taskRecordSchema, parseStoredJson(text, "graph task row"), "graph task row");
}
