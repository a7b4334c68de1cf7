/**
 * @module
 * The static checks of a loaded workflow (docs/dialect.md, "Static checks"): names that resolve
 * to nothing (`check.unresolved_name`), `loop.*` where no loop provides it
 * (`check.loop_outside_loop`), a `while_loop` whose condition its body cannot change
 * (`check.loop_condition_constant`), steps no run reaches (`check.unreachable_step`) and, when
 * the tenant's secret names are given (publish), secrets it has not set (`check.missing_secret`).
 * Warnings unless no run could succeed; each at its line and column. Nothing is evaluated.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { errorDiagnostics } from "./check-expressions.ts";
import { checkLoopConditions } from "./checks/loop-condition.ts";
import { checkMissingSecrets, type TenantServiceConfig } from "./checks/missing-secrets.ts";
import { siteReads } from "./checks/site-reads.ts";
import { checkUnreachableSteps } from "./checks/unreachable-steps.ts";
import { checkNames } from "./checks/unresolved-names.ts";
import type { Diagnostic } from "./diagnostic.ts";

export interface StaticCheckOptions {
  /** the tenant's secret names (never values); without them secrets are not looked up */
  secretNames?: ReadonlySet<string>;
}

export function staticChecks(
  definition: WorkflowDefinition,
  yaml: string,
  options: StaticCheckOptions = {},
): Diagnostic[] {
  const problems = [
    ...checkNames(definition, siteReads(definition)),
    ...checkLoopConditions(definition),
    ...checkUnreachableSteps(definition),
    ...(options.secretNames === undefined ? [] : checkMissingSecrets(definition, options.secretNames)),
  ];
  return errorDiagnostics(problems, yaml).sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * Only the secrets `definition` needs that are not among `secretNames` (the tenant's, at
 * publish), its registered services' included, as located warnings: the TenantDO holds the names, so it asks this alone.
 */
export function missingSecretWarnings(
  definition: WorkflowDefinition,
  yaml: string,
  secretNames: ReadonlySet<string>,
  tenantServices: readonly TenantServiceConfig[] = [],
): Diagnostic[] {
  return errorDiagnostics(checkMissingSecrets(definition, secretNames, tenantServices), yaml);
}
