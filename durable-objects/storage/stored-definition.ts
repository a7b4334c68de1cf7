/**
 * @module
 * A workflow definition as storage keeps it: the loader's parsed output as JSON. Read back with
 * the dialect's own schema (`workflowSchema`), which takes its output unchanged (the loader's
 * defaults and normal forms are valid input); the definition's format is its `schema_version`.
 * A dialect change that rejects definitions already stored must convert them here. What does
 * not parse is `storage.corrupt`.
 */
import { type WorkflowDefinition, workflowSchema } from "../../engine/dialect/index.ts";
import { isPlainRecord } from "../../engine/loader/step-walk.ts";
import { type PublishedDefinition, publishedPluginsSchema } from "../../engine/plugins/published.ts";
import { checkStored, parseStoredJson } from "./stored-json.ts";

export function encodeDefinition(definition: WorkflowDefinition): string {
  return JSON.stringify(definition);
}

export function decodeDefinition(text: string): WorkflowDefinition {
  return checkStored(workflowSchema, parseStoredJson(text, "workflow definition"), "workflow definition");
}

/**
 * A definition as publish stored it: the dialect's part read with `workflowSchema`, and
 * `resolved` (the exact plugin versions its services resolved to, a key the dialect does not
 * have: engine/plugins/published.ts) read with its own schema.
 */
export function decodePublishedDefinition(text: string): PublishedDefinition {
  const stored = parseStoredJson(text, "workflow definition");
  if (!isPlainRecord(stored) || stored.resolved === undefined) {
    return checkStored(workflowSchema, stored, "workflow definition");
  }
  const { resolved, ...dialect } = stored;
  return {
    ...checkStored(workflowSchema, dialect, "workflow definition"),
    resolved: checkStored(publishedPluginsSchema, resolved, "workflow definition's resolved plugins"),
  };
}
