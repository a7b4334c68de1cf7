/** Workflows from test/fixtures/graph, loaded for the step machine's graph tests. */
import { readFileSync } from "node:fs";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import { loadSource } from "./agent.ts";

export function loadGraphFixture(name: string): WorkflowDefinition {
  return loadSource(readFileSync(new URL(`../../fixtures/graph/${name}`, import.meta.url), "utf8"), name);
}
