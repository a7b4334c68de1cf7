/**
 * @module
 * A workflow definition as storage keeps it: the loader's parsed output as JSON. Read back with
 * the dialect's own schema (`workflowSchema`), which takes its output unchanged (the loader's
 * defaults and normal forms are valid input); the definition's format is its `schema_version`.
 * A dialect change that rejects definitions already stored must convert them here. What does
 * not parse is `storage.corrupt`.
 */
import { type WorkflowDefinition, workflowSchema } from "../../engine/dialect/index.ts";
import { checkStored, parseStoredJson } from "./stored-json.ts";

export function encodeDefinition(definition: WorkflowDefinition): string {
  return JSON.stringify(definition);
}

export function decodeDefinition(text: string): WorkflowDefinition {
  return checkStored(workflowSchema, parseStoredJson(text, "workflow definition"), "workflow definition");
}
