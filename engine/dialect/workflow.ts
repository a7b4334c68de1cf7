/**
 * @module
 * The whole workflow file (schema_version 2). `workflowSchema` is the single source of truth
 * for the definition type, the loader and the published JSON Schema.
 */

import { z } from "zod";
import { dependencyGraphSchema } from "./dependencies.ts";
import { externalStateSchema } from "./external-state.ts";
import { runNotificationSchema } from "./run-notifications.ts";
import { secondsSchema, semverSchema, workflowNameSchema } from "./scalars.ts";
import { servicesSchema } from "./services.ts";
import { defaultStateSchema, inputsSchema, stateSchemaSchema } from "./state.ts";
import { stepSchema } from "./steps.ts";
import { subAgentTaskSchema } from "./sub-agent.ts";
import { MAX_TRIGGERS, triggerSchema } from "./triggers.ts";
import { versionMetadataShape } from "./versioning.ts";

/** The dialect version this schema describes. Files with `schema_version: 1` are upgraded by the loader. */
export const CURRENT_SCHEMA_VERSION = 2;

export const workflowConfigSchema = z
  .looseObject({
    timeout_seconds: secondsSchema
      .optional()
      .describe("The run's time limit in seconds: a run that has not ended by then fails with run.timeout"),
    max_retries: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("Readable as config.max_retries; not applied to steps (set error_handling per step)"),
  })
  .describe("Free-form settings, readable as config.*");

export const workflowSchema = z
  .strictObject({
    name: workflowNameSchema,
    description: z.string().describe("One line for people and agents"),
    version: semverSchema,
    schema_version: z
      .literal(CURRENT_SCHEMA_VERSION)
      .default(CURRENT_SCHEMA_VERSION)
      .describe("Dialect version: 2 (files marked 1 are upgraded on load)"),
    config: workflowConfigSchema.optional(),
    inputs: inputsSchema.optional(),
    default_state: defaultStateSchema.optional(),
    state_schema: stateSchemaSchema.optional(),
    steps: z.array(stepSchema).min(1).describe("The steps, run in order"),
    sub_agent_tasks: z
      .record(z.string(), subAgentTaskSchema)
      .optional()
      .describe("Tasks parallel_foreach hands to sub-agents, by name"),
    triggers: z
      .array(triggerSchema)
      .max(
        MAX_TRIGGERS,
        `at most ${MAX_TRIGGERS} triggers per workflow: each one's filter and mappings run for every event the tenant takes in`,
      )
      .optional()
      .describe(`What starts a run on its own (phase 6), at most ${MAX_TRIGGERS}`),
    dependencies: dependencyGraphSchema.optional(),
    external_state: externalStateSchema.optional(),
    services: servicesSchema.optional(),
    on_complete: runNotificationSchema.optional().describe("Sent once when a run completes"),
    on_failure: runNotificationSchema.optional().describe("Sent once when a run fails"),
    ...versionMetadataShape,
  })
  .describe("An edgeflow workflow (schema_version 2)");

export type WorkflowDefinition = z.output<typeof workflowSchema>;
export type WorkflowInput = z.input<typeof workflowSchema>;
export type WorkflowConfig = z.output<typeof workflowConfigSchema>;
