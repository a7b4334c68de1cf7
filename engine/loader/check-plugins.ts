/**
 * @module
 * The plugin checks of publish (engine/plugins/publish-check.ts) as located diagnostics: each
 * problem gets the path, line and column of the field it is about (inside a string where the
 * problem has an offset, e.g. a `{{ env.X }}` in a service's non-secret field). Answers what
 * resolved too, for the caller to store with the version. Nothing is evaluated.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { checkPlugins, type PublishCheckContext } from "../plugins/publish-check.ts";
import type { PublishedPlugins } from "../plugins/published.ts";
import { documentAsLoaded, placeInFile } from "./check-expressions.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { formatYamlPath } from "./yaml-path.ts";

export interface LocatedPluginCheck {
  problems: Diagnostic[];
  resolved: PublishedPlugins;
}

export function checkPluginUses(
  definition: WorkflowDefinition,
  yaml: string,
  context: PublishCheckContext,
): LocatedPluginCheck {
  const { problems, resolved } = checkPlugins(definition, context);
  if (problems.length === 0) return { problems: [], resolved };
  const source = documentAsLoaded(yaml);
  const located = problems.map((problem): Diagnostic => {
    const diagnostic: Diagnostic = {
      code: problem.code,
      message: problem.message,
      severity: "error",
      path: formatYamlPath(problem.path),
    };
    if (source === undefined) return diagnostic;
    const { line, column } = placeInFile(yaml, source, problem.path, problem.offset);
    return { ...diagnostic, line, column };
  });
  return { problems: located, resolved };
}
