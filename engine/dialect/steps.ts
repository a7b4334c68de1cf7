/**
 * @module
 * The step union: every step type, discriminated on `type`. Steps that own sub-steps
 * (`conditional`, `while_loop`, `foreach`) are defined here, recursively; their types are
 * written as interfaces over the zod shapes so TypeScript can follow the recursion.
 */
import { z } from "zod";
import {
  type AgentPromptStep,
  type AgentResponseStep,
  agentPromptStepSchema,
  agentResponseStepSchema,
  type McpCallStep,
  mcpCallStepSchema,
  type ShellCommandStep,
  shellCommandStepSchema,
  type UserInputStep,
  type UserMessageStep,
  userInputStepSchema,
  userMessageStepSchema,
} from "./client-steps.ts";
import { conditionSchema, itemsSchema, statePathSchema, templateSchema } from "./scalars.ts";
import {
  type BreakStep,
  breakStepSchema,
  type ContinueStep,
  continueStepSchema,
  type DependencyFlowStep,
  dependencyFlowStepSchema,
  type ExternalCallStep,
  externalCallStepSchema,
  type NotifyStep,
  notifyStepSchema,
  type SetStateStep,
  setStateStepSchema,
  type WaitStep,
  waitStepSchema,
} from "./server-steps.ts";
import { stepCommonShape } from "./step-common.ts";

/** The schema of a list of steps, typed explicitly so recursive getters need no inference. */
export type StepListSchema = z.ZodArray<z.ZodType<Step, StepInput>>;

const conditionalFields = z.strictObject({
  type: z.literal("conditional"),
  ...stepCommonShape,
  condition: conditionSchema,
});
export interface ConditionalStep extends z.output<typeof conditionalFields> {
  then_steps: Step[];
  else_steps: Step[];
}
interface ConditionalStepInput extends z.input<typeof conditionalFields> {
  then_steps?: StepInput[];
  else_steps?: StepInput[];
}
export const conditionalStepSchema = conditionalFields
  .extend({
    get then_steps(): z.ZodDefault<StepListSchema> {
      return z.array(stepSchema).default([]).describe("Steps run when the condition is truthy");
    },
    get else_steps(): z.ZodDefault<StepListSchema> {
      return z.array(stepSchema).default([]).describe("Steps run otherwise");
    },
  })
  .describe("Branch on a condition");

/**
 * The most passes a `while_loop` may make (`max_iterations`). Long loops also run in work slices
 * across events and count against the run's work allowance (docs/runtime.md).
 */
export const MAX_WHILE_ITERATIONS = 10_000;

const whileLoopFields = z.strictObject({
  type: z.literal("while_loop"),
  ...stepCommonShape,
  condition: conditionSchema.describe("Checked before each iteration; loop.iteration is 1-based"),
  max_iterations: z
    .number()
    .int()
    .positive()
    .max(MAX_WHILE_ITERATIONS)
    .default(100)
    .describe(`Upper bound of iterations (default 100, at most ${MAX_WHILE_ITERATIONS})`),
  on_max_iterations: z
    .enum(["continue", "fail"])
    .default("continue")
    .describe(
      "When max_iterations passes run and the condition still holds: continue after the loop with a warning " +
        "(default, AroMCP's behaviour made visible), or fail the step with step.max_iterations (its error_handling applies)",
    ),
});
export interface WhileLoopStep extends z.output<typeof whileLoopFields> {
  body: Step[];
}
interface WhileLoopStepInput extends z.input<typeof whileLoopFields> {
  body: StepInput[];
}
export const whileLoopStepSchema = whileLoopFields
  .extend({
    get body(): StepListSchema {
      return z.array(stepSchema).min(1).describe("Steps run on each iteration");
    },
  })
  .describe("Repeat the body while the condition is truthy");

const foreachFields = z.strictObject({
  type: z.literal("foreach"),
  ...stepCommonShape,
  items: itemsSchema,
  variable_name: z.string().default("item").describe("Bare name bound to the item (default item)"),
  index_name: z.string().default("index").describe("Bare name bound to the 0-based index (default index)"),
});
export interface ForeachStep extends z.output<typeof foreachFields> {
  body: Step[];
}
interface ForeachStepInput extends z.input<typeof foreachFields> {
  body: StepInput[];
}
export const foreachStepSchema = foreachFields
  .extend({
    get body(): StepListSchema {
      return z.array(stepSchema).min(1).describe("Steps run for each item");
    },
  })
  .describe("Run the body once per item (loop.item, loop.index)");

export const parallelForeachStepSchema = z
  .strictObject({
    type: z.literal("parallel_foreach"),
    ...stepCommonShape,
    items: itemsSchema,
    sub_agent_task: z.string().min(1).describe("Name of an entry in sub_agent_tasks"),
    max_parallel: z.number().int().positive().default(10).describe("Tasks handed out at once (default 10)"),
    store_results: statePathSchema
      .optional()
      .describe("State path receiving each task's final state by item index"),
    sub_agent_prompt_override: templateSchema.optional().describe("Replaces the task's prompt_template"),
  })
  .describe("Hand one sub-agent task per item to sub-agents and wait for all of them");
export type ParallelForeachStep = z.output<typeof parallelForeachStepSchema>;

/** A validated step (defaults applied). */
export type Step =
  | UserMessageStep
  | McpCallStep
  | ShellCommandStep
  | UserInputStep
  | AgentPromptStep
  | AgentResponseStep
  | ParallelForeachStep
  | ConditionalStep
  | WhileLoopStep
  | ForeachStep
  | BreakStep
  | ContinueStep
  | WaitStep
  | SetStateStep
  | DependencyFlowStep
  | ExternalCallStep
  | NotifyStep;

/** A step as written in a file (before defaults). */
export type StepInput =
  | z.input<typeof userMessageStepSchema>
  | z.input<typeof mcpCallStepSchema>
  | z.input<typeof shellCommandStepSchema>
  | z.input<typeof userInputStepSchema>
  | z.input<typeof agentPromptStepSchema>
  | z.input<typeof agentResponseStepSchema>
  | z.input<typeof parallelForeachStepSchema>
  | ConditionalStepInput
  | WhileLoopStepInput
  | ForeachStepInput
  | z.input<typeof breakStepSchema>
  | z.input<typeof continueStepSchema>
  | z.input<typeof waitStepSchema>
  | z.input<typeof setStateStepSchema>
  | z.input<typeof dependencyFlowStepSchema>
  | z.input<typeof externalCallStepSchema>
  | z.input<typeof notifyStepSchema>;

export type StepType = Step["type"];

const stepUnion = z.discriminatedUnion("type", [
  userMessageStepSchema,
  mcpCallStepSchema,
  shellCommandStepSchema,
  userInputStepSchema,
  agentPromptStepSchema,
  agentResponseStepSchema,
  parallelForeachStepSchema,
  conditionalStepSchema,
  whileLoopStepSchema,
  foreachStepSchema,
  breakStepSchema,
  continueStepSchema,
  waitStepSchema,
  setStateStepSchema,
  dependencyFlowStepSchema,
  externalCallStepSchema,
  notifyStepSchema,
]);

/** Any step, discriminated on `type`. */
export const stepSchema: z.ZodType<Step, StepInput> = stepUnion;

/** Every step type, in the order the docs list them. */
export const STEP_TYPES: readonly StepType[] = stepUnion.options.map((option) => option.shape.type.value);

/** Step types the engine runs itself; the others are handed to the agent. */
export const SERVER_STEP_TYPES: ReadonlySet<StepType> = new Set<StepType>([
  "conditional",
  "while_loop",
  "foreach",
  "break",
  "continue",
  "wait_step",
  "set_state",
  "dependency_flow",
  "external_call",
  "notify",
]);
