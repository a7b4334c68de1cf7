/**
 * @module
 * What the loader reports: diagnostics (an `ErrorShape` with a severity) and the load result.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import type { ErrorCode, ErrorShape } from "../errors.ts";

export type Severity = "error" | "warning";

/** One problem in a workflow file. `path` looks like `steps[2].then_steps[0].id`; line and column are 1-based. */
export type Diagnostic = ErrorShape & { severity: Severity };

export type LoadResult =
  | { ok: true; definition: WorkflowDefinition; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

export interface LoadOptions {
  /** Largest accepted file in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Largest number of alias expansions (YAML anchors). Default 100. */
  maxAliasCount?: number;
  /** Deepest accepted nesting of mappings and lists. Default 100. */
  maxDepth?: number;
}

/**
 * The largest workflow file: 1 MiB of UTF-8. A limit of its own (a file, wherever it comes from:
 * the CLI reads files with no request around them) that happens to equal the request body limit
 * (`MAX_BODY_BYTES`, engine/body-size.ts).
 */
export const DEFAULT_MAX_WORKFLOW_BYTES = 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;
export const DEFAULT_MAX_DEPTH = 100;

/** A reported problem before it is placed in the file: the loader adds line and column from `path`. */
export interface Finding {
  code: ErrorCode;
  message: string;
  severity: Severity;
  path: readonly (string | number)[];
  /** point at the key of the last path segment instead of its value (unknown keys) */
  atKey?: boolean;
  /** a source offset that wins over `path` for the position (findings about nodes the upgrade removed) */
  offset?: number;
}

export function errorFinding(
  code: ErrorCode,
  message: string,
  path: readonly (string | number)[] = [],
): Finding {
  return { code, message, severity: "error", path };
}

export function warningFinding(
  code: ErrorCode,
  message: string,
  path: readonly (string | number)[] = [],
): Finding {
  return { code, message, severity: "warning", path };
}
