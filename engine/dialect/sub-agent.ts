/**
 * @module
 * `sub_agent_tasks`: the work `parallel_foreach` hands to sub-agents, one task per item, each
 * with its own inputs, state and steps.
 */
import { z } from "zod";
import { freeObjectSchema, templateSchema } from "./scalars.ts";
import { defaultStateSchema, inputsSchema, stateSchemaSchema } from "./state.ts";
import { type StepListSchema, stepSchema } from "./steps.ts";

export const subAgentTaskSchema = z
  .strictObject({
    description: z.string().describe("What the task does"),
    inputs: inputsSchema.optional().describe("The task's inputs; the first receives the item"),
    default_state: defaultStateSchema.optional(),
    state_schema: stateSchemaSchema.optional(),
    context_template: freeObjectSchema.optional().describe("Extra context handed to the sub-agent"),
    prompt_template: templateSchema
      .optional()
      .describe("Prompt for the sub-agent (instead of, or before, steps)"),
    get steps(): z.ZodOptional<StepListSchema> {
      return z.array(stepSchema).min(1).optional().describe("Steps the sub-agent drives");
    },
  })
  .superRefine((task, ctx) => {
    if (task.prompt_template === undefined && task.steps === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["steps"],
        message: "a sub-agent task needs steps or a prompt_template",
        params: { loaderCode: "loader.missing_field" },
      });
    }
  })
  .describe("A sub-agent task");
export type SubAgentTask = z.output<typeof subAgentTaskSchema>;
