/**
 * @module
 * A workflow's trigger problems (`triggerProblems`) as loader diagnostics, located in the YAML
 * they came from: `triggers[1].cron` becomes line and column of that value. For publish and
 * validate, which refuse such a workflow the same way as any other invalid file. Pure.
 */
import type { WorkflowDefinition } from "../dialect/workflow.ts";
import type { Diagnostic } from "../loader/diagnostic.ts";
import type { YamlPath } from "../loader/yaml-path.ts";
import { locate, parseYamlSource } from "../loader/yaml-source.ts";
import { triggerProblems } from "./subscription.ts";

/** Every trigger problem of `definition`, with the line and column of its path in `yaml`. */
export function triggerDiagnostics(
  yaml: string,
  definition: Pick<WorkflowDefinition, "name" | "version" | "triggers">,
): Diagnostic[] {
  const problems = triggerProblems(definition);
  if (problems.length === 0) return [];
  const parsed = parseYamlSource(yaml);
  return problems.map((problem) => {
    const diagnostic: Diagnostic = { ...problem, severity: "error" };
    if (parsed.ok && problem.path !== undefined) {
      const position = locate(parsed.source, yamlPathOf(problem.path));
      diagnostic.line = position.line;
      diagnostic.column = position.column;
    }
    return diagnostic;
  });
}

/** `triggers[1].cron` → `["triggers", 1, "cron"]`. */
export function yamlPathOf(path: string): YamlPath {
  const segments: (string | number)[] = [];
  for (const [, name, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(index === undefined ? (name as string) : Number(index));
  }
  return segments;
}
