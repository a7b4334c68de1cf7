/**
 * @module
 * schema/workflow.schema.json is generated from the zod dialect: this fails when the committed
 * file is stale (fix: `npm run schema`), and checks the parts editors rely on.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildWorkflowJsonSchema,
  STEP_TYPES,
  WORKFLOW_JSON_SCHEMA_PATH,
  workflowJsonSchemaText,
} from "../../../engine/dialect/index.ts";

describe("workflow JSON Schema", () => {
  it("matches the committed file (run `npm run schema` after changing engine/dialect)", () => {
    const committed = readFileSync(
      fileURLToPath(new URL(`../../../${WORKFLOW_JSON_SCHEMA_PATH}`, import.meta.url)),
      "utf8",
    );
    expect(committed).toBe(workflowJsonSchemaText());
  });

  it("names the recursive step definition and lists every step type", () => {
    const schema = buildWorkflowJsonSchema() as {
      definitions: Record<string, { oneOf?: { properties: { type: { const: string } } }[] }>;
      properties: Record<string, { description?: string }>;
      additionalProperties: unknown;
    };
    const types = schema.definitions.Step?.oneOf?.map((option) => option.properties.type.const);
    expect(types).toEqual([...STEP_TYPES]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.name?.description).toContain("category:action");
  });
});
