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
import { errorDiagnostics } from "./check-expressions.ts";
import type { Diagnostic } from "./diagnostic.ts";

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
  return { problems: errorDiagnostics(problems, yaml), resolved };
}
