/**
 * @module
 * Tools that take workflow YAML: `workflow_validate` (check only) and `workflow_publish`
 * (check, then store as a new immutable version, registering its triggers). Both run the same
 * checks: the engine's loader, then `publishProblems` (engine/loader/publish-problems.ts) for
 * what only triggers can get wrong and for expressions and templates that do not compile (nothing
 * is run), each located by line and column.
 *
 * The expressions are checked here, in the worker, not in the TenantDO's publish path, so that
 * `workflow_validate` answers exactly what `workflow_publish` would refuse, and a refused file
 * costs the tenant's DO nothing (`../expression-checker.ts`). Both also compare the file with the
 * tenant's previous version of the workflow (`../compatibility-answer.ts`; publish in the TenantDO,
 * validate by reading that version): the only DO call validate makes, after every other check passed.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import { type Diagnostic, loadWorkflow } from "../../../engine/loader/index.ts";
import { type PublishedPlugins, withResolved } from "../../../engine/plugins/published.ts";
import { deprecationWarnings } from "../../../engine/versions/compatibility-deprecation-warnings.ts";
import { checkUses } from "../../plugins/plugin-uses.ts";
import { compatibilitySchema, validateCompatibility } from "../compatibility-answer.ts";
import { WorkflowDiagnosticsError } from "../diagnostics-error.ts";
import { problemsOf } from "../expression-checker.ts";
import { diagnosticSchema } from "../schemas.ts";
import { defineTool, type TenantScope } from "../tool-kit.ts";

const yamlArg = z
  .string()
  .min(1)
  .describe("The complete workflow file as YAML text (schema_version 2; see docs/dialect.md)");

export const workflowValidate = defineTool({
  name: "workflow_validate",
  title: "Validate workflow YAML",
  description:
    "Checks workflow YAML without publishing it: the schema, step ids, paths, triggers, that every " +
    "expression and {{ }} template compiles (nothing is run), and static checks (names nothing declares, " +
    "loop.* outside a loop, loops that cannot end, unreachable steps). Returns valid=true/false with every error and " +
    "warning (code, message, path such as steps[2].condition, line and column). Fix the errors, then call " +
    "workflow_publish with the same text to make it runnable. When the tenant has published the workflow, `compatibility` lists " +
    "the differences from the version publish would compare with (breaking or not).",
  input: z.strictObject({ yaml: yamlArg }),
  output: z.object({
    valid: z.boolean(),
    name: z.string().optional(),
    version: z.string().optional(),
    errors: z.array(diagnosticSchema),
    warnings: z.array(diagnosticSchema),
    compatibility: compatibilitySchema.optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ yaml }, scope) {
    const loaded = loadWorkflow(yaml);
    if (!loaded.ok) return { valid: false, errors: loaded.errors, warnings: loaded.warnings };
    const { problems, resolved } = await allProblems(yaml, loaded.definition, scope);
    const deprecations = deprecationWarnings(yaml, loaded.definition);
    const { errors, warnings } = bySeverity([...problems, ...deprecations], loaded.warnings);
    if (errors.length > 0) return { valid: false, errors, warnings };
    const { name, version } = loaded.definition;
    const compatibility = await validateCompatibility(withResolved(loaded.definition, resolved), scope);
    const report = compatibility.report === undefined ? {} : { compatibility: compatibility.report };
    if (compatibility.error !== undefined) {
      return { valid: false, name, version, errors: [compatibility.error], warnings, ...report };
    }
    return { valid: true, name, version, errors: [], warnings, ...report };
  },
});

export const workflowPublish = defineTool({
  name: "workflow_publish",
  title: "Publish a workflow",
  description:
    "Validates workflow YAML (as workflow_validate does) and stores it as version `version` of workflow `name` for your tenant. " +
    "Versions are immutable: publishing identical text again is a no-op (created=false); changed text " +
    "needs a new `version` in the YAML. On errors nothing is stored and the result lists every problem " +
    "with line:column. If it becomes the default version (the highest, unless workflow_set_default pinned one), its `triggers:` (webhooks, schedules, file changes, events) " +
    "replace the workflow's previous ones (see workflow_list_subscriptions). `compatibility` lists the differences from the " +
    "previous version; a breaking one needs a major version bump or a `breaking_changes` entry (else publish.breaking_change). " +
    "Next: workflow_start with workflow=<name>.",
  input: z.strictObject({ yaml: yamlArg }),
  output: z.object({
    workflow: z.string(),
    version: z.string(),
    created: z.boolean().describe("false when this exact text was already published"),
    versions: z.array(z.string()),
    warnings: z.array(diagnosticSchema),
    compatibility: compatibilitySchema.optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ yaml }, { env, tenant, plugins, audit }) {
    const loaded = loadWorkflow(yaml);
    if (!loaded.ok) throw new WorkflowDiagnosticsError(loaded.errors, loaded.warnings);
    const expressionProblems = await problemsOf(yaml, loaded.definition);
    const uses = await checkUses(yaml, loaded.definition, { env, tenant, plugins });
    const deprecations = deprecationWarnings(yaml, loaded.definition);
    const { errors, warnings } = bySeverity(
      [...expressionProblems, ...uses.problems, ...deprecations],
      loaded.warnings,
    );
    if (errors.length > 0) throw new WorkflowDiagnosticsError(errors, warnings);
    // the exact plugin versions resolved now stay with this version (engine/plugins/published.ts)
    const definition = withResolved(loaded.definition, uses.resolved);
    const published = await unwrap(
      tenantStub(env, tenant).publishWorkflow(
        tenant,
        {
          name: definition.name,
          version: definition.version,
          description: definition.description,
          yaml,
          definition,
          warnings,
        },
        audit,
      ),
    );
    return {
      workflow: published.workflow.name,
      version: definition.version,
      created: published.created,
      versions: published.workflow.versions,
      warnings: inFileOrder([...warnings, ...published.secretWarnings]),
      ...(published.compatibility === undefined ? {} : { compatibility: published.compatibility }),
    };
  },
});

/** The expression and trigger problems, then the plugin ones, in file order. */
async function allProblems(
  yaml: string,
  definition: WorkflowDefinition,
  scope: TenantScope,
): Promise<{ problems: Diagnostic[]; resolved: PublishedPlugins }> {
  const expressionProblems = await problemsOf(yaml, definition);
  const uses = await checkUses(yaml, definition, scope);
  return { problems: inFileOrder([...expressionProblems, ...uses.problems]), resolved: uses.resolved };
}

/** Problems split into errors (which refuse the file) and warnings (joined with the loader's). */
function bySeverity(problems: Diagnostic[], loaderWarnings: Diagnostic[]) {
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = problems.filter((problem) => problem.severity !== "error");
  return { errors: inFileOrder(errors), warnings: inFileOrder([...loaderWarnings, ...warnings]) };
}

function inFileOrder(problems: Diagnostic[]): Diagnostic[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
