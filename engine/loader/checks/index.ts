/**
 * @module
 * The semantic checks that run after (and independently of) the schema, in report order.
 */
import type { Finding } from "../diagnostic.ts";
import { checkComputedCycles } from "./computed-cycles.ts";
import { checkDependencies } from "./dependencies.ts";
import { checkDependencyGraph } from "./dependency-graph.ts";
import { checkLoopControl } from "./loop-control.ts";
import { checkServiceNames } from "./service-names.ts";
import { checkWritablePaths } from "./state-paths.ts";
import { checkDuplicateStepIds } from "./step-ids.ts";
import { checkSubAgentReferences } from "./sub-agent-references.ts";
import { checkVersion } from "./version.ts";

const CHECKS: readonly ((document: unknown) => Finding[])[] = [
  checkVersion,
  checkDuplicateStepIds,
  checkWritablePaths,
  checkComputedCycles,
  checkSubAgentReferences,
  checkLoopControl,
  checkDependencyGraph,
  checkDependencies,
  checkServiceNames,
];

export function runSemanticChecks(document: unknown): Finding[] {
  return CHECKS.flatMap((check) => check(document));
}
