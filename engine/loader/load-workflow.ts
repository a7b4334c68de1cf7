/**
 * @module
 * YAML text → a validated `WorkflowDefinition`, or every problem found, each with a stable
 * code, a path and a line and column. Order of work: size limit, YAML parse (syntax, duplicate
 * keys, aliases), top-level shape, nesting depth, the schema_version 1 upgrade, the zod schema,
 * then the semantic checks. Never throws: an unexpected failure is `loader.internal_error`.
 */
import { workflowSchema } from "../dialect/index.ts";
import { checkDefaultStateTypes } from "./check-default-state.ts";
import { checkMigrations } from "./check-migrations.ts";
import { runSemanticChecks } from "./checks/index.ts";
import {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_WORKFLOW_BYTES,
  type Diagnostic,
  errorFinding,
  type Finding,
  type LoadOptions,
  type LoadResult,
} from "./diagnostic.ts";
import { detectSchemaVersion } from "./phase5-detect.ts";
import { upgradeV1 } from "./upgrade-v1.ts";
import { formatYamlPath } from "./yaml-path.ts";
import { locate, type PositionedFinding, parseYamlSource, type YamlSource } from "./yaml-source.ts";
import { findingsFromIssues } from "./zod-findings.ts";

export function loadWorkflow(text: string, options: LoadOptions = {}): LoadResult {
  try {
    return load(text, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RangeError ? "loader.too_deep" : "loader.internal_error";
    return {
      ok: false,
      errors: [{ code, message: `the file could not be loaded: ${message}`, severity: "error" }],
      warnings: [],
    };
  }
}

function load(text: string, options: LoadOptions): LoadResult {
  if (typeof text !== "string") {
    return failure([
      { code: "loader.invalid_type", message: "expected the YAML text as a string", severity: "error" },
    ]);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_WORKFLOW_BYTES;
  const bytes = text.length * 3 > maxBytes ? new TextEncoder().encode(text).length : text.length;
  if (bytes > maxBytes) {
    return failure([
      {
        code: "loader.too_large",
        message: `the file is ${bytes} bytes; the limit is ${maxBytes}`,
        severity: "error",
      },
    ]);
  }
  const parsed = parseYamlSource(text);
  if (!parsed.ok) return failure(parsed.errors.map((finding) => positioned(finding)));
  const { source } = parsed;
  const warnings: Diagnostic[] = parsed.warnings.map((finding) => positioned(finding));
  const place = (finding: Finding) => toDiagnostic(source, finding);

  let data: unknown;
  try {
    data = source.document.toJS({ maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure(
      [place(errorFinding("loader.alias_limit", `too many YAML alias expansions: ${message}`))],
      warnings,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    const what =
      data === null || data === undefined ? "the file is empty" : "the top level must be a mapping of keys";
    return failure(
      [place(errorFinding("loader.not_a_mapping", `${what} (name, description, version, steps, ...)`))],
      warnings,
    );
  }
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (nestingDepth(data, maxDepth) > maxDepth) {
    return failure(
      [place(errorFinding("loader.too_deep", `the document nests deeper than ${maxDepth} levels`))],
      warnings,
    );
  }

  if (detectSchemaVersion(data) === 1) {
    warnings.push(...upgradeV1(source, data).map(place));
    try {
      data = source.document.toJS({ maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
    } catch (error) {
      // the upgrade moves nodes: an alias can end up before its anchor
      const message = error instanceof Error ? error.message : String(error);
      return failure(
        [
          place(
            errorFinding(
              "loader.upgrade_failed",
              `the phase-5 file could not be upgraded (${message}); write the aliased value out in full, or convert the file to schema_version 2`,
            ),
          ),
        ],
        warnings,
      );
    }
  }

  let validated: ReturnType<typeof workflowSchema.safeParse>;
  try {
    validated = workflowSchema.safeParse(data);
  } catch {
    // zod 4.6 runs its .min/.max checks on any value with a `length`, even one that failed its
    // type check, and throws when that `length` is a mapping (`tool: {length: {toString: {}}}`)
    const finding = errorFinding(
      "loader.invalid_type",
      "a mapping with a `length` key stands where a string or a list belongs",
      lengthTrapPath(data),
    );
    return failure([place(finding)], warnings);
  }
  const findings = [
    ...(validated.success ? [] : findingsFromIssues(validated.error.issues, data)),
    ...runSemanticChecks(data),
    ...checkDefaultStateTypes(data),
    ...checkMigrations(data),
  ];
  const errors = byPosition(dedupe(findings.map(place)));
  if (errors.length > 0 || !validated.success) return failure(errors, byPosition(warnings));
  return { ok: true, definition: validated.data, warnings: byPosition(warnings) };
}

function failure(errors: Diagnostic[], warnings: Diagnostic[] = []): LoadResult {
  return { ok: false, errors, warnings };
}

function positioned(finding: PositionedFinding): Diagnostic {
  const diagnostic: Diagnostic = { code: finding.code, message: finding.message, severity: finding.severity };
  if (finding.position) {
    diagnostic.line = finding.position.line;
    diagnostic.column = finding.position.column;
  }
  return diagnostic;
}

function toDiagnostic(source: YamlSource, finding: Finding): Diagnostic {
  const position =
    finding.offset !== undefined
      ? (({ line, col }) => ({ line, column: col }))(source.lineCounter.linePos(finding.offset))
      : locate(source, finding.path, finding.atKey);
  return {
    code: finding.code,
    message: finding.message,
    severity: finding.severity,
    path: formatYamlPath(finding.path),
    line: position.line,
    column: position.column,
  };
}

/** File order (the sort is stable, so problems at one place keep the order they were found in). */
function byPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** The same problem reported twice (e.g. by two union branches) is shown once. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    const key = `${diagnostic.code}\u0000${diagnostic.path}\u0000${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Depth of nested objects and arrays, counted without recursion and stopping past `limit`. */
/** The path of the first mapping whose `length` is itself a mapping (what makes zod throw). */
function lengthTrapPath(value: unknown): (string | number)[] {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.shift()!;
    if (typeof current !== "object" || current === null) continue;
    const length = (current as { length?: unknown }).length;
    if (!Array.isArray(current) && typeof length === "object" && length !== null) return path;
    for (const [key, child] of Object.entries(current)) {
      pending.push({ value: child, path: [...path, Array.isArray(current) ? Number(key) : key] });
    }
  }
  return [];
}

function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}
