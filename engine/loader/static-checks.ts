/**
 * @module
 * The static checks of a loaded workflow (docs/dialect.md, "Static checks"): names that resolve
 * to nothing (`check.unresolved_name`), `loop.*` where no loop provides it
 * (`check.loop_outside_loop`), a `while_loop` whose condition its body cannot change
 * (`check.loop_condition_constant`), steps no run reaches (`check.unreachable_step`) and, when
 * the tenant's secret names are given (publish), secrets it has not set (`check.missing_secret`).
 * Warnings, each at its line and column. Nothing is evaluated. Bounded: at most
 * `MAX_FINDINGS_PER_CODE` findings per code (then one `check.truncated`), and a deterministic
 * work budget (`CheckBudget`) past which the checks give up with one `check.skipped` warning.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { errorDiagnostics } from "./check-expressions.ts";
import { CheckBudget, CheckBudgetExceeded, STATIC_CHECK_STEP_LIMIT } from "./checks/check-budget.ts";
import { NameHints } from "./checks/closest-name.ts";
import { capFindings } from "./checks/finding-cap.ts";
import { checkLoopConditions } from "./checks/loop-condition.ts";
import { checkMissingSecrets, type TenantServiceConfig } from "./checks/missing-secrets.ts";
import { siteReads } from "./checks/site-reads.ts";
import { checkUnreachableSteps } from "./checks/unreachable-steps.ts";
import { checkNames, type StaticProblem } from "./checks/unresolved-names.ts";
import type { Diagnostic } from "./diagnostic.ts";

export interface StaticCheckOptions {
  /** the tenant's secret names (never values); without them secrets are not looked up */
  secretNames?: ReadonlySet<string>;
  /** the work budget, in steps (default `STATIC_CHECK_STEP_LIMIT`); tests pass a meter to read what was spent */
  meter?: CheckBudget;
  /** "did you mean" lookups (tests pass one to count them) */
  hints?: NameHints;
}

export function staticChecks(
  definition: WorkflowDefinition,
  yaml: string,
  options: StaticCheckOptions = {},
): Diagnostic[] {
  const meter = options.meter ?? new CheckBudget(STATIC_CHECK_STEP_LIMIT);
  let problems: StaticProblem[];
  try {
    problems = [
      ...checkNames(definition, siteReads(definition, meter), options.hints ?? new NameHints(meter)),
      ...checkLoopConditions(definition, meter),
      ...checkUnreachableSteps(definition),
      ...(options.secretNames === undefined ? [] : checkMissingSecrets(definition, options.secretNames)),
    ];
  } catch (error) {
    if (!(error instanceof CheckBudgetExceeded)) throw error;
    problems = [
      {
        code: "check.skipped",
        severity: "warning",
        path: [],
        offset: 0,
        message: `static checks stopped: the file is too large to check fully (more than ${error.limit} steps of work), so none of its check.* findings are listed. Split the workflow, or shorten its expressions, to have it checked`,
      },
    ];
  }
  return errorDiagnostics(capFindings(problems), yaml).sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * Only the secrets `definition` needs that are not among `secretNames` (the tenant's, at
 * publish), its registered services' included, as located warnings (one per field, capped like
 * the other checks): the TenantDO holds the names, so it asks this alone.
 */
export function missingSecretWarnings(
  definition: WorkflowDefinition,
  yaml: string,
  secretNames: ReadonlySet<string>,
  tenantServices: readonly TenantServiceConfig[] = [],
): Diagnostic[] {
  return errorDiagnostics(capFindings(checkMissingSecrets(definition, secretNames, tenantServices)), yaml);
}
