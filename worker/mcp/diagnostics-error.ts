/**
 * @module
 * A failed publish: the first error's code and position, plus every diagnostic the loader
 * reported, so an agent can fix them all in one edit.
 */
import { EngineError } from "../../engine/errors.ts";
import type { Diagnostic } from "../../engine/loader/index.ts";
import { RuntimeCodes } from "../errors/codes.ts";

export class WorkflowDiagnosticsError extends EngineError {
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];

  constructor(errors: Diagnostic[], warnings: Diagnostic[]) {
    const first = errors[0];
    const summary = errors.slice(0, 5).map(describeDiagnostic).join("; ");
    const more = errors.length > 5 ? `; and ${errors.length - 5} more` : "";
    const options: { path?: string; line?: number; column?: number } = {};
    if (first?.path !== undefined) options.path = first.path;
    if (first?.line !== undefined) options.line = first.line;
    if (first?.column !== undefined) options.column = first.column;
    super(
      RuntimeCodes.workflowInvalid,
      `The workflow has ${errors.length} error${errors.length === 1 ? "" : "s"}: ${summary}${more}. Fix them and publish again (workflow_validate checks without publishing).`,
      options,
    );
    this.errors = errors;
    this.warnings = warnings;
  }
}

/** `12:5 steps[2].type: unknown step type "shel_command" (loader.unknown_step_type)` */
export function describeDiagnostic(diagnostic: Diagnostic): string {
  const position = diagnostic.line === undefined ? "" : `${diagnostic.line}:${diagnostic.column ?? 1} `;
  const path = diagnostic.path ? `${diagnostic.path}: ` : "";
  return `${position}${path}${diagnostic.message} (${diagnostic.code})`;
}
