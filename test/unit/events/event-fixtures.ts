/**
 * @module
 * Shared set-up for the event tests: the workflow fixtures under test/fixtures/events loaded
 * and turned into subscriptions, one QuickJS evaluator per test file, and event makers.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WorkflowDefinition } from "../../../engine/dialect/workflow.ts";
import type { FileChangeKind, TriggerEvent } from "../../../engine/events/event.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

export function loadEventFixture(name: string): WorkflowDefinition {
  const text = readFileSync(fileURLToPath(new URL(`../../fixtures/events/${name}`, import.meta.url)), "utf8");
  const result = loadWorkflow(text);
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.errors)}`);
  return result.definition;
}

export const RECEIVED_AT = Date.UTC(2026, 0, 15, 12, 0, 0);

export function fileChange(path: string, change: FileChangeKind = "modified"): TriggerEvent {
  return {
    id: `fc-${path}`,
    type: "file_change",
    source: "repo",
    payload: { path, change },
    receivedAt: RECEIVED_AT,
  };
}

export function customEvent(type: string, payload: unknown = {}): TriggerEvent {
  return { id: `ev-${type}`, type, source: "api", payload, receivedAt: RECEIVED_AT };
}
