/**
 * @module
 * Graphs from test/fixtures/graph: a whole workflow through the loader, or a bare
 * `dependencies:` block (the invalid fixtures) through the dialect schema alone.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { dependencyGraphSchema, type WorkflowDefinition } from "../../../engine/dialect/index.ts";
import { graphFromDependencies, type TaskGraph } from "../../../engine/graph/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

export function graphFixtureText(name: string): string {
  return readFileSync(new URL(`../../fixtures/graph/${name}`, import.meta.url), "utf8");
}

export function loadGraphWorkflow(name: string): WorkflowDefinition {
  const result = loadWorkflow(graphFixtureText(name));
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.errors)}`);
  return result.definition;
}

export function fixtureGraph(name: string): TaskGraph {
  return graphFromDependencies(loadGraphWorkflow(name).dependencies ?? {});
}

export function bareGraph(name: string): TaskGraph {
  const document = parse(graphFixtureText(name)) as { dependencies: unknown };
  return graphFromDependencies(dependencyGraphSchema.parse(document.dependencies));
}
