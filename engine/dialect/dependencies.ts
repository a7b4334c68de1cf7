/**
 * @module
 * Phase 6 `dependencies`: a graph of named tasks run by `dependency_flow`. The short form is the
 * seed's list (`build: [parallel_checks, {priority: 10}]`); the long form names every field.
 * Both normalise to `DependencyTask`, so the scheduler reads one shape.
 */
import { z } from "zod";
import { conditionSchema, itemsSchema, secondsSchema } from "./scalars.ts";
import { type Step, type StepListSchema, stepSchema } from "./steps.ts";

export const triggerRuleSchema = z
  .enum(["all_success", "all_done", "one_success", "one_failed", "all_failed", "none_failed"])
  .describe("Which outcomes of the needed tasks let this task run (default all_success)");
export type TriggerRule = z.output<typeof triggerRuleSchema>;

const conditionEntrySchema = z
  .strictObject({ condition: conditionSchema.describe("The task runs only if this is truthy") })
  .describe("A condition on the task");
const priorityEntrySchema = z
  .strictObject({ priority: z.number().describe("Higher runs first among ready tasks") })
  .describe("The task's priority");

const shortFormSchema = z
  .array(
    z.union([
      z.string().min(1).describe("Name of a task this one needs"),
      conditionEntrySchema,
      priorityEntrySchema,
    ]),
  )
  .describe("Short form: needed task names, plus {condition} and {priority} entries");

const longFormSchema = z
  .strictObject({
    needs: z.array(z.string().min(1)).optional().describe("Tasks that must finish first"),
    when: z
      .union([conditionSchema, z.array(conditionSchema)])
      .optional()
      .describe("Condition(s) that must all be truthy for the task to run"),
    priority: z.number().optional().describe("Higher runs first among ready tasks (default 0)"),
    get run(): z.ZodOptional<StepListSchema> {
      return z.array(stepSchema).optional().describe("Steps the task runs (none: a milestone)");
    },
    retries: z.number().int().nonnegative().optional().describe("Retries of a failed task"),
    timeout_seconds: secondsSchema.optional(),
    trigger_rule: triggerRuleSchema.optional(),
    for_each: itemsSchema.optional().describe("Fan out: one instance of the task per item"),
    description: z.string().optional(),
  })
  .describe("Long form of a task");

/** One task of the graph, normalised. */
export interface DependencyTask {
  needs: string[];
  /** conditions that must all be truthy */
  when: (string | boolean)[];
  priority: number;
  trigger_rule: TriggerRule;
  run?: Step[];
  retries?: number;
  timeout_seconds?: number;
  for_each?: string | unknown[];
  description?: string;
}

type ShortForm = z.output<typeof shortFormSchema>;
type LongForm = z.output<typeof longFormSchema>;

function normaliseTask(task: ShortForm | LongForm): DependencyTask {
  if (Array.isArray(task)) {
    const normalised: DependencyTask = { needs: [], when: [], priority: 0, trigger_rule: "all_success" };
    for (const entry of task) {
      if (typeof entry === "string") normalised.needs.push(entry);
      else if ("condition" in entry) normalised.when.push(entry.condition);
      else normalised.priority = entry.priority;
    }
    return normalised;
  }
  const { needs, when, priority, trigger_rule, ...rest } = task;
  return {
    ...rest,
    needs: needs ?? [],
    when: when === undefined ? [] : Array.isArray(when) ? when : [when],
    priority: priority ?? 0,
    trigger_rule: trigger_rule ?? "all_success",
  };
}

export const dependencyTaskSchema = z
  .union([shortFormSchema, longFormSchema])
  .transform(normaliseTask)
  .describe("A task: a list of needed tasks with {condition}/{priority} entries, or the long form");

export const dependencyGraphSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a task name must be an identifier"),
    dependencyTaskSchema,
  )
  .describe("Dependency graph: task name → what it needs (phase 6)");
export type DependencyGraph = z.output<typeof dependencyGraphSchema>;
