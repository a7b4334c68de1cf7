/**
 * @module
 * Writes schema/workflow.schema.json from the zod dialect (`npm run schema`). A unit test fails
 * when the committed file is stale, so run this after changing engine/dialect/.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WORKFLOW_JSON_SCHEMA_PATH, workflowJsonSchemaText } from "../engine/dialect/json-schema.ts";

const target = fileURLToPath(new URL(`../${WORKFLOW_JSON_SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, workflowJsonSchemaText());
console.log(`wrote ${WORKFLOW_JSON_SCHEMA_PATH}`);
