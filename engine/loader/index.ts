/**
 * @module
 * The workflow loader: YAML text → validated definition, with diagnostics.
 */
export { checkExpressions, STATIC_EXPRESSION_CODES } from "./check-expressions.ts";
export { checkPluginUses, type LocatedPluginCheck } from "./check-plugins.ts";
export { runSemanticChecks } from "./checks/index.ts";
export {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_WORKFLOW_BYTES,
  type Diagnostic,
  type LoadOptions,
  type LoadResult,
  type Severity,
} from "./diagnostic.ts";
export { type ExpressionSite, type ExpressionSiteKind, listExpressionSites } from "./expression-sites.ts";
export { loadWorkflow } from "./load-workflow.ts";
export { detectSchemaVersion, usesPhase5Features } from "./phase5-detect.ts";
export { publishProblems } from "./publish-problems.ts";
export { missingSecretWarnings, type StaticCheckOptions, staticChecks } from "./static-checks.ts";
export { formatYamlPath, type YamlPath } from "./yaml-path.ts";
