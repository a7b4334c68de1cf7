/**
 * @module
 * Everything wrong with a file the loader accepted, as a publish would find it: trigger problems
 * (`triggerDiagnostics`: a cron that never fires, an unknown time zone, an endpoint that cannot be
 * routed), expressions that do not compile or that name `env` (`checkExpressions`: nothing is
 * run), and secrets named outside the fields that hand them to the platform
 * (`checkSecretFields`), and the static checks (`staticChecks`: unresolved names, `loop.*` outside
 * a loop, loop conditions nothing changes, unreachable steps, and with the tenant's secret names
 * the secrets it has not set), in file order. Errors and warnings both: callers split them by
 * `severity` (warnings never block a publish). `workflow_validate`, `workflow_publish` and
 * `edgeflow validate` all call this, so the three agree.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { triggerDiagnostics } from "../events/trigger-diagnostics.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { checkExpressions } from "./check-expressions.ts";
import { checkSecretFields } from "./check-secret-fields.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { type StaticCheckOptions, staticChecks } from "./static-checks.ts";

export function publishProblems(
  yaml: string,
  definition: WorkflowDefinition,
  evaluator: Evaluator,
  options: StaticCheckOptions = {},
): Diagnostic[] {
  const problems = [
    ...triggerDiagnostics(yaml, definition),
    ...checkExpressions(definition, yaml, evaluator),
    ...checkSecretFields(definition, yaml),
    ...staticChecks(definition, yaml, options),
  ];
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
