/**
 * @module
 * Publish-time check of every expression of a loaded workflow: each site of
 * `listExpressionSites` goes through `Evaluator.check` (analysis and compile, nothing runs), and
 * each template is parsed. A failure becomes a diagnostic with the error's code
 * (`expression.syntax`, `expression.forbidden`, `template.unclosed`, `template.empty`, and
 * `expression.env_not_allowed` for an expression that names `env`: secrets are not values), the YAML
 * path of the string and the line and column of the problem in the file: inside the expression
 * when the scalar's style lets the position be proven (`scalar-offset.ts`), else at the value
 * (the message then says where inside the expression). Only static errors are reported: an expression that could
 * fail at run time (a missing name, a type error, an endless loop) passes. A source nested too
 * deeply for the parser is `expression.syntax`. Failures of the check itself (the sandbox ran out
 * of memory compiling) leave the site to the run, as before; a sandbox that cannot be used at all (`retryable`, or disposed) throws,
 * since then nothing was checked.
 */
import { isMap, isSeq } from "yaml";
import type { WorkflowDefinition } from "../dialect/index.ts";
import { EngineError, type ErrorCode, isEngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { expressionStart, parseTemplate } from "../expressions/template.ts";
import { ENV_NOT_ALLOWED, envReferenceError } from "../secrets/env-references.ts";
import { migrationScriptSites } from "./check-migrations.ts";
import { DEFAULT_MAX_ALIAS_COUNT, type Diagnostic, type Severity } from "./diagnostic.ts";
import { type ExpressionSite, listExpressionSites } from "./expression-sites.ts";
import { detectSchemaVersion } from "./phase5-detect.ts";
import { ScalarPlacer } from "./scalar-offset.ts";
import { upgradeV1 } from "./upgrade-v1.ts";
import { formatYamlPath, type YamlPath } from "./yaml-path.ts";
import { locate, nodeAtPath, parseYamlSource, type YamlSource } from "./yaml-source.ts";

/** The codes this check reports; anything else an evaluator throws is left to the run. */
export const STATIC_EXPRESSION_CODES: ReadonlySet<string> = new Set([
  "expression.syntax",
  "expression.forbidden",
  "expression.too_long",
  "expression.too_complex",
  ENV_NOT_ALLOWED,
  "template.unclosed",
  "template.empty",
]);

/**
 * Work (interrupt polls or their fuel) all the compiles of one file may take together: a real
 * workflow's take a few (AroMCP's largest, code-standards-enforce: 4.2 at the compile rate); a file of
 * pathological 4 KiB expressions would hold the isolate's shared checker for seconds.
 */
export const PUBLISH_CHECK_POLLS = 40;

/** One broken expression, before it is placed in the file. */
interface Failure {
  site: ExpressionSite;
  error: EngineError;
  /** the failing expression (a template's part, or the whole text) */
  expression: string;
  /** offset in the site's text of the problem (or of the expression's start) */
  offset: number;
}

/**
 * The static expression errors of `definition`, loaded from `yaml`, as error diagnostics in file
 * order. The YAML is read again only when something failed, to place the failures.
 */
export function checkExpressions(
  definition: WorkflowDefinition,
  yaml: string,
  evaluator: Evaluator,
): Diagnostic[] {
  const verdicts = new Map<string, EngineError | undefined>();
  const pollsAtStart = evaluator.pollsUsed;
  let overBudget = false;
  const checkOnce = (source: string): EngineError | undefined => {
    if (verdicts.has(source)) return verdicts.get(source);
    // one file's compiles share a budget (the checker is the isolate's, every tenant's): past it,
    // the expression where it ran out is refused and the rest are not compiled
    if (overBudget) return undefined;
    const verdict = staticError(() => {
      const refused = envReferenceError(source);
      if (refused !== undefined) throw refused;
      evaluator.check(source);
      if (evaluator.pollsUsed - pollsAtStart > PUBLISH_CHECK_POLLS) {
        overBudget = true;
        throw new EngineError(
          "expression.too_complex",
          `the file's expressions take more than ${PUBLISH_CHECK_POLLS} steps of work to compile; this one passed the limit (simplify it, or split the workflow)`,
        );
      }
    });
    verdicts.set(source, verdict);
    return verdict;
  };
  const sites = [...listExpressionSites(definition), ...migrationScriptSites(definition)];
  const failures = sites.flatMap((site) => siteFailures(site, checkOnce));
  if (failures.length === 0) return [];
  const source = documentAsLoaded(yaml);
  const placer = source === undefined ? undefined : new ScalarPlacer(yaml, source.lineCounter);
  return failures
    .map((failure) => toDiagnostic(failure, yaml, source, placer))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function siteFailures(site: ExpressionSite, check: (source: string) => EngineError | undefined): Failure[] {
  if (site.form === "expression") {
    const error = check(site.text);
    return error === undefined ? [] : [failureAt(site, error, site.text, 0)];
  }
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(site.text);
  } catch (error) {
    const templateError = staticErrorOf(error);
    if (templateError === undefined) return [];
    // the template's own error is positioned in the whole text, at its `{{`
    const offset = offsetOfLineColumn(site.text, templateError.line ?? 1, templateError.column);
    return [{ site, error: templateError, expression: site.text, offset }];
  }
  const failures: Failure[] = [];
  for (const part of parts) {
    if (part.kind !== "expression") continue;
    const error = check(part.source);
    if (error === undefined) continue;
    const start = expressionStart(site.text, part.offset);
    failures.push(failureAt(site, error, part.source, start));
  }
  return failures;
}

/** A failure whose error position (relative to `expression`, which starts at `start`) is mapped into the site's text. */
function failureAt(site: ExpressionSite, error: EngineError, expression: string, start: number): Failure {
  const offset = error.line === undefined ? 0 : offsetOfLineColumn(expression, error.line, error.column);
  return { site, error, expression, offset: start + offset };
}

/** Runs `attempt`: `undefined` when it passes, else its static error (see `staticErrorOf`). */
function staticError(attempt: () => void): EngineError | undefined {
  try {
    attempt();
    return undefined;
  } catch (error) {
    return staticErrorOf(error);
  }
}

/** A static error is returned; another failure of the check is dropped; an unusable sandbox is thrown. */
function staticErrorOf(error: unknown): EngineError | undefined {
  if (isEngineError(error) && STATIC_EXPRESSION_CODES.has(error.code)) return error;
  if (isEngineError(error) && !error.retryable && error.code !== "expression.disposed") return undefined;
  throw error;
}

/** The YAML document as the loader saw it: a phase-5 file is upgraded again, so definition paths resolve. */
export function documentAsLoaded(yaml: string): YamlSource | undefined {
  const parsed = parseYamlSource(yaml);
  if (!parsed.ok) return undefined;
  try {
    const data: unknown = parsed.source.document.toJS({ maxAliasCount: DEFAULT_MAX_ALIAS_COUNT });
    if (detectSchemaVersion(data) === 1) upgradeV1(parsed.source, data);
  } catch {
    // positions then fall back to the nearest node the file as written has
  }
  return parsed.source;
}

function toDiagnostic(
  failure: Failure,
  yaml: string,
  source: YamlSource | undefined,
  placer: ScalarPlacer | undefined,
): Diagnostic {
  const { site, error } = failure;
  const path = source === undefined ? site.path : pathAsWritten(site.path, source);
  const diagnostic: Diagnostic = {
    code: error.code,
    message: messageOf(failure, true),
    severity: "error",
    path: formatYamlPath(path),
  };
  if (source === undefined) return diagnostic;
  const position = placeInFile(yaml, source, path, failure.offset, placer);
  diagnostic.line = position.line;
  diagnostic.column = position.column;
  diagnostic.message = messageOf(failure, !position.exact);
  return diagnostic;
}

/** A problem found in a loaded definition, at `offset` inside the string at its YAML `path`. */
export interface ProblemInDefinition {
  code: ErrorCode;
  message: string;
  path: YamlPath;
  offset: number;
  /** `error` unless given (the static checks report warnings too) */
  severity?: Severity;
}

/**
 * `problems` as diagnostics (errors unless a problem says otherwise), each at its line and column
 * in `yaml` (read again only here, when there is something to place; without a readable file, at
 * their paths only). Each scalar's layout is read once (`ScalarPlacer`), however many problems it holds.
 */
export function errorDiagnostics(problems: readonly ProblemInDefinition[], yaml: string): Diagnostic[] {
  if (problems.length === 0) return [];
  const source = documentAsLoaded(yaml);
  const placer = source === undefined ? undefined : new ScalarPlacer(yaml, source.lineCounter);
  return problems.map((problem) => {
    const path = source === undefined ? problem.path : pathAsWritten(problem.path, source);
    const diagnostic: Diagnostic = {
      code: problem.code,
      message: problem.message,
      severity: problem.severity ?? "error",
      path: formatYamlPath(path),
    };
    if (source === undefined) return diagnostic;
    const { line, column } = placeInFile(yaml, source, path, problem.offset, placer);
    return { ...diagnostic, line, column };
  });
}

/**
 * Line and column in the file of `offset` inside the string at `path` (`exact`), or of the value
 * itself when the scalar's style does not let the offset be proven.
 */
export function placeInFile(
  yaml: string,
  source: YamlSource,
  path: YamlPath,
  offset: number,
  placer: ScalarPlacer = new ScalarPlacer(yaml, source.lineCounter),
): { line: number; column: number; exact: boolean } {
  const node = nodeAtPath(source, path);
  const inSource = placer.offsetInSource(node, offset);
  if (inSource === undefined) return { ...locate(source, path), exact: false };
  const { line, col } = source.lineCounter.linePos(inSource);
  return { line, column: col, exact: true };
}

/**
 * `{{ this.count > }}: SyntaxError: unexpected end of input`; when the diagnostic could only be
 * placed at the value (`approximate`), the position inside the expression is added.
 */
function messageOf(failure: Failure, approximate: boolean): string {
  const { site, error, expression } = failure;
  const shown =
    site.form === "template" && expression !== site.text
      ? `{{ ${brief(expression)} }}`
      : `"${brief(expression)}"`;
  const what = site.kind === "template" ? shown : `${site.kind} ${shown}`;
  const where =
    approximate && error.line !== undefined
      ? ` (line ${error.line}${error.column === undefined ? "" : `, column ${error.column}`} of the expression)`
      : "";
  return `${what}: ${error.message}${where}`;
}

/** One line, at most 60 characters. */
function brief(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/**
 * Offset of 1-based `line`/`column` in `text` (lines end as in `lineColumnAt`). Without a column
 * (the sandbox reports none when the source ended early) it is the end of that line.
 */
function offsetOfLineColumn(text: string, line: number, column: number | undefined): number {
  const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.slice(offset).search(LINE_BREAK);
    if (next < 0) return offset;
    offset += next + (text.startsWith("\r\n", offset + next) ? 2 : 1);
  }
  if (column === undefined) {
    const end = text.slice(offset).search(LINE_BREAK);
    return end < 0 ? text.length : offset + end;
  }
  return Math.min(offset + Math.max(column - 1, 0), text.length);
}

/**
 * A definition path where the file has another shape: a dependency task's `when` is normalised
 * to a list, from the short form's `{condition}` entries or a long form's single `when`.
 */
function pathAsWritten(path: YamlPath, source: YamlSource): YamlPath {
  const [root, task, field, index, ...rest] = path;
  if (root !== "dependencies" || typeof task !== "string" || field !== "when" || typeof index !== "number") {
    return path;
  }
  const written = nodeAtPath(source, [root, task]);
  if (isSeq(written)) {
    const conditions = written.items.flatMap((item, position) =>
      isMap(item) && item.has("condition") ? [position] : [],
    );
    const position = conditions[index];
    return position === undefined ? path : [root, task, position, "condition", ...rest];
  }
  const when = nodeAtPath(source, [root, task, "when"]);
  return when !== undefined && !isSeq(when) ? [root, task, "when", ...rest] : path;
}
