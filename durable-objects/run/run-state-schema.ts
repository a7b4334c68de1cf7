/**
 * @module
 * The zod schema of the engine's `RunState` as the checkpoint stores it (`checkpoint-format.ts`).
 * It checks the machine's own bookkeeping (threads, frames, pending steps, timers, the graph
 * marker) field by field; the workflow's data (state tiers, loop items, results, the start
 * event) is only checked to be of the right kind and passed through uncopied, so a parse costs
 * O(threads + frames + timers), not O(state size). Objects are loose: a field this schema does
 * not name is kept, not dropped. The annotation `z.ZodType<RunState>` ties it to the engine's
 * type: a schema that no longer gives a `RunState` fails typecheck.
 */
import { z } from "zod";
import type { ErrorShape } from "../../engine/errors.ts";
import { TASK_STATUSES } from "../../engine/graph/index.ts";
import type { RunState } from "../../engine/machine/run-model.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A plain JSON object of workflow data: checked for its kind only, passed through as it is. */
const dataObject = z.custom<Record<string, unknown>>(isRecord, "expected an object");
const dataList = z.custom<unknown[]>(Array.isArray, "expected a list");

const errorFields = z.looseObject({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});
/** An error as the engine records it; typed as the engine's `ErrorShape`. */
const errorShape = z.custom<ErrorShape>((value) => errorFields.safeParse(value).success, "expected an error");

const ref = z.array(z.union([z.string(), z.number()]));

const loopContext = z.looseObject({
  item: z.unknown().optional(),
  index: z.number().optional(),
  iteration: z.number().optional(),
  names: dataObject.optional(),
});

/** A frame's place by step ids (format 2; `engine/machine/frame-address.ts`). */
const frameAddress = z.strictObject({
  list: z.array(z.string()),
  at: z.string().optional(),
});

const frame = z.looseObject({
  ref,
  pc: z.number().int().nonnegative(),
  address: frameAddress.optional(),
  loop: z
    .looseObject({
      kind: z.enum(["while", "foreach"]),
      stepId: z.string(),
      iteration: z.number().int(),
      items: dataList.optional(),
      variableName: z.string().optional(),
      indexName: z.string().optional(),
      maxIterations: z.number().optional(),
    })
    .optional(),
});

const pendingStep = z.looseObject({
  id: z.string(),
  type: z.string(),
  attempt: z.number().int(),
  issuedAt: z.number(),
  definition: dataObject,
  ref,
  implicit: z.boolean(),
  loop: loopContext.optional(),
  effectId: z.string().optional(),
});

const stateData = z.looseObject({
  inputs: dataObject,
  state: dataObject,
  global: dataObject,
  computed: dataObject,
  computedInputs: z.record(z.string(), z.string()),
});

const threadShape = {
  id: z.string(),
  status: z.enum(["ready", "blocked", "waiting", "completed", "failed"]),
  state: stateData,
  frames: z.array(frame),
  pending: z.array(pendingStep),
  waitingFor: z
    .looseObject({
      kind: z.enum(["timer", "tasks", "graph", "continue", "effect"]),
      stepId: z.string(),
      until: z.number().optional(),
      message: z.string().optional(),
      taskIds: z.array(z.string()).optional(),
    })
    .optional(),
  attempts: z.record(z.string(), z.number()).optional(),
  retryReasons: z.record(z.string(), z.string()).optional(),
  error: errorShape.optional(),
};

const thread = z.looseObject(threadShape);

const subAgentTaskThread = z.looseObject({
  ...threadShape,
  task: z.string(),
  parentStepId: z.string(),
  index: z.number().int(),
  item: z.unknown(),
  queued: z.boolean(),
  announced: z.boolean(),
});

const graphTaskThread = z.looseObject({
  ...threadShape,
  graphTask: z.string(),
  claim: z.number().int(),
  item: z.unknown().optional(),
  index: z.number().int().optional(),
  result: z.unknown().optional(),
  handedOutAt: z.number().optional(),
});

const graphMarker = z.looseObject({
  stepId: z.string(),
  ref,
  status: z.enum(["running", "finished"]),
  parallelLimit: z.number().int(),
  total: z.number().int(),
  counts: z.record(z.enum(TASK_STATUSES), z.number().int()),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  threads: z.record(z.string(), graphTaskThread),
});

const timer = z.looseObject({
  id: z.string(),
  at: z.number(),
  kind: z.enum(["wait", "retry", "timeout", "graph", "deadline", "continue"]),
  threadId: z.string(),
  stepId: z.string(),
});

/** An effect handed out and not yet answered (engine/plugins/effect.ts). */
const effectIntent = z.looseObject({
  id: z.string(),
  kind: z.enum(["call", "notify", "run_end", "state"]),
  idempotencyKey: z.string(),
  threadId: z.string(),
  stepId: z.string(),
  attempt: z.number().int(),
  service: z.string(),
  method: z.string(),
  params: dataObject,
  auth: dataObject.optional(),
  timeoutSeconds: z.number().optional(),
  requestedAt: z.number(),
});

export const runStateSchema: z.ZodType<RunState> = z.looseObject({
  id: z.string(),
  workflow: z.string(),
  version: z.string(),
  status: z.enum(["running", "waiting", "completed", "failed", "cancelled"]),
  createdAt: z.number(),
  updatedAt: z.number(),
  completedAt: z.number().optional(),
  deadlineAt: z.number().optional(),
  event: z.unknown().optional(),
  main: thread,
  tasks: z.record(z.string(), subAgentTaskThread),
  graph: graphMarker.optional(),
  timers: z.array(timer),
  effects: z.array(effectIntent).optional(),
  seq: z.number().int().nonnegative(),
  work: z.looseObject({ used: z.number(), allowance: z.number() }).optional(),
  stateLimit: z.number().int().positive().optional(),
  error: errorShape.optional(),
});
