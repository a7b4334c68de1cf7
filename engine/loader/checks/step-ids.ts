/**
 * @module
 * Step ids are unique in the whole file, nested steps and sub-agent task steps included
 * (`loader.duplicate_step_id`, reported at the second use).
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { walkSteps } from "../step-walk.ts";
import { formatYamlPath, type YamlPath } from "../yaml-path.ts";

export function checkDuplicateStepIds(document: unknown): Finding[] {
  const firstUse = new Map<string, YamlPath>();
  const findings: Finding[] = [];
  walkSteps(document, ({ step, path }) => {
    if (typeof step.id !== "string") return;
    const earlier = firstUse.get(step.id);
    if (earlier === undefined) {
      firstUse.set(step.id, path);
      return;
    }
    findings.push(
      errorFinding(
        "loader.duplicate_step_id",
        `step id "${step.id}" is already used by ${formatYamlPath(earlier)}`,
        [...path, "id"],
      ),
    );
  });
  return findings;
}
