/**
 * @module
 * The `migrations:` entries of a file, checked when it is loaded (validate and publish) so that a
 * migration never fails for a reason its text already shows: `from` must be a semver range and
 * `to` a version no higher than the file's own (`migrate.bad_range`), `script` one `{{ expression }}` with nothing around it
 * (`migrate.bad_script`; whether the expression compiles is checked at publish with the others,
 * `migrationScriptSites`), and each operation's paths well formed (`migrate.bad_operation`).
 * Reads the raw document; evaluates nothing. docs/versioning.md, "Migrations".
 */
import semver from "semver";
import { hasTemplate, parseTemplate } from "../expressions/template.ts";
import { FORBIDDEN_PATH_SEGMENTS } from "../state/forbidden-keys.ts";
import { errorFinding, type Finding } from "./diagnostic.ts";
import type { ExpressionSite } from "./expression-sites.ts";
import { isPlainRecord } from "./step-walk.ts";

type Path = (string | number)[];

export function checkMigrations(document: unknown): Finding[] {
  if (!isPlainRecord(document) || !Array.isArray(document.migrations)) return [];
  const findings: Finding[] = [];
  document.migrations.forEach((migration, index) => {
    if (!isPlainRecord(migration)) return;
    const path: Path = ["migrations", index];
    if (typeof migration.from === "string" && semver.validRange(migration.from) === null) {
      findings.push(
        errorFinding("migrate.bad_range", `from "${migration.from}" is not a semver range`, [
          ...path,
          "from",
        ]),
      );
    }
    if (typeof migration.to === "string" && semver.valid(migration.to) === null) {
      findings.push(
        errorFinding("migrate.bad_range", `to "${migration.to}" is not a version`, [...path, "to"]),
      );
    } else if (typeof migration.to === "string" && isAbove(migration.to, document.version)) {
      findings.push(
        errorFinding(
          "migrate.bad_range",
          `to "${migration.to}" is above this file's version ${String(document.version)}: a migration leads to this version or an earlier one`,
          [...path, "to"],
        ),
      );
    }
    if (typeof migration.script === "string" && !isOneExpression(migration.script)) {
      findings.push(
        errorFinding(
          "migrate.bad_script",
          'script must be one {{ expression }} returning the new state fields, e.g. "{{ ({ ...state, count: state.counter, counter: undefined }) }}"',
          [...path, "script"],
        ),
      );
    }
    if (Array.isArray(migration.operations)) {
      migration.operations.forEach((operation, at) => {
        findings.push(...operationFindings(operation, [...path, "operations", at]));
      });
    }
  });
  return findings;
}

/** Whether `to` is a version above the file's own (a valid) `version`. */
function isAbove(to: string, version: unknown): boolean {
  return typeof version === "string" && semver.valid(version) !== null && semver.gt(to, version);
}

/** The migration scripts as expression sites: publish compiles them like every other expression. */
export function migrationScriptSites(document: unknown): ExpressionSite[] {
  if (!isPlainRecord(document) || !Array.isArray(document.migrations)) return [];
  return document.migrations.flatMap((migration, index) =>
    isPlainRecord(migration) && typeof migration.script === "string" && hasTemplate(migration.script)
      ? [
          {
            path: ["migrations", index, "script"],
            text: migration.script,
            form: "template",
            kind: "transform",
          } as const,
        ]
      : [],
  );
}

function isOneExpression(script: string): boolean {
  try {
    const parts = parseTemplate(script.trim());
    return parts.length === 1 && parts[0]!.kind === "expression";
  } catch {
    return false;
  }
}

function operationFindings(operation: unknown, path: Path): Finding[] {
  if (!isPlainRecord(operation)) return [];
  const findings: Finding[] = [];
  const checkPath = (value: unknown, at: Path, name = false): void => {
    if (typeof value !== "string") return;
    const segments = value.split(".");
    const problem =
      name && segments.length > 1
        ? "is a field name, not a path"
        : segments.some((segment) => segment === "")
          ? "has an empty segment"
          : segments.some((segment) => FORBIDDEN_PATH_SEGMENTS.has(segment))
            ? "names a forbidden key"
            : undefined;
    if (problem !== undefined) {
      findings.push(errorFinding("migrate.bad_operation", `"${value}" ${problem}`, at));
    }
  };
  for (const [kind, body] of Object.entries(operation)) {
    if (kind === "delete") checkPath(body, [...path, kind]);
    if (!isPlainRecord(body)) continue;
    if (kind === "rename") {
      checkPath(body.from, [...path, kind, "from"]);
      checkPath(body.to, [...path, kind, "to"], true);
    }
    if (kind === "move") {
      checkPath(body.from, [...path, kind, "from"]);
      checkPath(body.to, [...path, kind, "to"]);
    }
    if (kind === "set_default") checkPath(body.path, [...path, kind, "path"]);
  }
  return findings;
}
