/**
 * @module
 * The published JSON Schema of a workflow file, generated from `workflowSchema` so editors
 * validate and complete as you type. It describes the file as written (`io: "input"`: defaults
 * are optional, bare input types allowed) in draft-07, which editors support most widely.
 * Named definitions keep it readable; recursion (steps inside steps) becomes `$ref`s.
 */
import { z } from "zod";
import { errorHandlingSchema } from "./error-handling.ts";
import { computedFieldSchema, inputSpecSchema, stateUpdateSpecSchema } from "./state.ts";
import { stepSchema } from "./steps.ts";
import { subAgentTaskSchema } from "./sub-agent.ts";
import { triggerSchema } from "./triggers.ts";
import { workflowSchema } from "./workflow.ts";

/** Where the generated file lives in the repository. */
export const WORKFLOW_JSON_SCHEMA_PATH = "schema/workflow.schema.json";

type SchemaMetadata = { id?: string; description?: string };

/** Our definition names on top of the descriptions `.describe()` keeps in zod's global registry. */
function definitionNames(): z.core.$ZodRegistry<SchemaMetadata> {
  const registry = z.registry<SchemaMetadata>();
  const namedOnly = registry.get.bind(registry);
  registry.get = (schema) => {
    const described = z.globalRegistry.get(schema);
    const named = namedOnly(schema);
    return described === undefined && named === undefined ? undefined : { ...described, ...named };
  };
  registry.add(stepSchema, { id: "Step" });
  registry.add(stateUpdateSpecSchema, { id: "StateUpdate" });
  registry.add(errorHandlingSchema, { id: "ErrorHandling" });
  registry.add(inputSpecSchema, { id: "Input" });
  registry.add(computedFieldSchema, { id: "ComputedField" });
  registry.add(subAgentTaskSchema, { id: "SubAgentTask" });
  registry.add(triggerSchema, { id: "Trigger" });
  return registry;
}

export function buildWorkflowJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(workflowSchema, {
    io: "input",
    target: "draft-07",
    metadata: definitionNames(),
    unrepresentable: "any",
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: "edgeflow workflow", ...rest };
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(buildWorkflowJsonSchema(), null, 2)}\n`;
}
