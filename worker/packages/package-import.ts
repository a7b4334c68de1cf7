/**
 * @module
 * `workflow_import`: a package verified (size, shape, checksums, signature against the trusted
 * keys: engine/packages/package-verification.ts), then every version run through the same checks
 * as `workflow_publish` (the loader, expressions, plugin resolution) with the package's plugin
 * pins put back, and only when every version passes, all of them handed to the tenant's DO in one
 * call that publishes them in ascending semver order in one transaction: a refusal anywhere
 * publishes nothing. A version already published with the same YAML is a no-op. The versions the
 * package marks yanked are yanked in that transaction too.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { NewWorkflowVersion } from "../../durable-objects/tenant/contracts.ts";
import { canonicalJson } from "../../engine/audit/canonical-json.ts";
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import { EngineError } from "../../engine/errors.ts";
import { loadWorkflow } from "../../engine/loader/index.ts";
import type { PackageVersion, PackageYank, WorkflowPackage } from "../../engine/packages/package-format.ts";
import { verifyPackage } from "../../engine/packages/package-verification.ts";
import { missingPin, pinnedCatalog, unresolvedPin, withPins } from "../../engine/packages/plugin-pins.ts";
import { withResolved } from "../../engine/plugins/published.ts";
import { WorkflowDiagnosticsError } from "../mcp/diagnostics-error.ts";
import { problemsOf } from "../mcp/expression-checker.ts";
import type { TenantScope } from "../mcp/tool-kit.ts";
import { checkUses } from "../plugins/plugin-uses.ts";
import { packageTrustOf } from "./package-keys.ts";

export interface ImportResult {
  workflow: string;
  versions: { version: string; created: boolean }[];
  signed_by?: string;
}

export async function importPackage(scope: TenantScope, candidate: unknown): Promise<ImportResult> {
  const pkg = await verifyPackage(candidate, await packageTrustOf(scope.env));
  const checked: NewWorkflowVersion[] = [];
  for (const [index, entry] of pkg.versions.entries())
    checked.push(await checkedVersion(scope, pkg, entry, index));
  const { created } = await unwrap(
    tenantStub(scope.env, scope.tenant).importWorkflowVersions(
      scope.tenant,
      checked,
      yanksOf(pkg),
      scope.audit,
    ),
  );
  return {
    workflow: pkg.workflow,
    versions: checked.map((version, index) => ({
      version: version.version,
      created: created[index] === true,
    })),
    ...(pkg.signature === undefined ? {} : { signed_by: pkg.signature.key_id }),
  };
}

/** One version through the publish checks, as `workflow_publish` would store it (with the package's pins). */
async function checkedVersion(
  scope: TenantScope,
  pkg: WorkflowPackage,
  entry: PackageVersion,
  index: number,
): Promise<NewWorkflowVersion> {
  const at = `versions[${index}]`;
  const loaded = loadWorkflow(entry.yaml);
  if (!loaded.ok) throw new WorkflowDiagnosticsError(loaded.errors, loaded.warnings);
  const definition = loaded.definition;
  if (definition.name !== pkg.workflow || definition.version !== entry.version) {
    throw malformed(
      `${at}: its YAML is ${definition.name}@${definition.version}, the package says ${pkg.workflow}@${entry.version}.`,
      `${at}.yaml`,
    );
  }
  if (canonicalJson(definition.migrations ?? []) !== canonicalJson(entry.migrations)) {
    throw malformed(`${at}: "migrations" differs from the migrations its YAML declares.`, `${at}.migrations`);
  }
  const expressionProblems = await problemsOf(entry.yaml, definition);
  const uses = await checkUses(entry.yaml, definition, scope);
  const problems = [...expressionProblems, ...uses.problems];
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = [...loaded.warnings, ...problems.filter((problem) => problem.severity !== "error")];
  if (errors.length > 0) throw new WorkflowDiagnosticsError(errors, warnings);
  const missing = missingPin(entry.plugins, scope.plugins);
  if (missing !== undefined) {
    throw new EngineError(
      "package.plugin_unavailable",
      `${at}: version ${entry.version} pins plugin ${missing.plugin}@${missing.version} (service "${missing.service}"), which this deployment does not have; plugin_list shows the versions it has.`,
      { path: `${at}.plugins` },
    );
  }
  const resolved = withPins(uses.resolved, entry.plugins);
  if (resolved === undefined) {
    throw malformed(`${at}: "plugins" does not name the services its YAML uses.`, `${at}.plugins`);
  }
  await assertPinsFitYaml(scope, entry, definition, at);
  return {
    name: definition.name,
    version: definition.version,
    description: definition.description,
    yaml: entry.yaml,
    definition: withResolved(definition, resolved),
    warnings,
  };
}

/**
 * The YAML checked again with only the pinned plugin versions available: each pin must satisfy its
 * service's `uses:` range and accept its configuration, else `package.pin_mismatch`.
 */
async function assertPinsFitYaml(
  scope: TenantScope,
  entry: PackageVersion,
  definition: WorkflowDefinition,
  at: string,
): Promise<void> {
  const pinned = await checkUses(entry.yaml, definition, {
    ...scope,
    plugins: pinnedCatalog(scope.plugins, entry.plugins),
  });
  const problem = pinned.problems.find((candidate) => candidate.severity === "error");
  const stray = unresolvedPin(pinned.resolved, entry.plugins);
  if (problem === undefined && stray === undefined) return;
  const why =
    problem?.message ??
    `${stray?.plugin}@${stray?.version} (service "${stray?.service}") is not the version its \`uses:\` resolves to among the pins`;
  throw new EngineError(
    "package.pin_mismatch",
    `${at}: version ${entry.version}'s plugin pins do not fit its YAML: ${why}.`,
    { path: `${at}.plugins` },
  );
}

/** The versions the package marks yanked, with their reasons. */
function yanksOf(pkg: WorkflowPackage): PackageYank[] {
  return pkg.versions.flatMap((entry) =>
    entry.yanked === undefined
      ? []
      : [
          {
            version: entry.version,
            ...(entry.yanked.reason === undefined ? {} : { reason: entry.yanked.reason }),
          },
        ],
  );
}

function malformed(message: string, path: string): EngineError {
  return new EngineError("package.malformed", message, { path });
}
