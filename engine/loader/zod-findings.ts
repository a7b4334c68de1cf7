/**
 * @module
 * zod issues → loader findings with stable codes: `loader.unknown_key`, `loader.missing_field`,
 * `loader.invalid_type`, `loader.unknown_step_type`, `loader.invalid_value`. Union failures are
 * narrowed to the branch the value was evidently meant for, so a typo inside an input spec reads
 * as that typo and not as "invalid input".
 */
import type { z } from "zod";
import { STEP_TYPES } from "../dialect/index.ts";
import { errorFinding, type Finding } from "./diagnostic.ts";
import { isLoaderCode } from "./error-codes.ts";
import type { YamlPath } from "./yaml-path.ts";

type Issue = z.core.$ZodIssue;

const PHASE5_STEP_TYPES: Record<string, string> = {
  state_update: "set_state with state_update",
  batch_state_update: "set_state with state_updates",
  while: "while_loop",
};

export function findingsFromIssues(issues: readonly Issue[], data: unknown, base: YamlPath = []): Finding[] {
  return issues.flatMap((issue) => findingsFromIssue(issue, data, [...base, ...issue.path.map(toSegment)]));
}

function toSegment(segment: PropertyKey): string | number {
  return typeof segment === "number" ? segment : String(segment);
}

function findingsFromIssue(issue: Issue, data: unknown, path: YamlPath): Finding[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        ...errorFinding("loader.unknown_key", `unknown key "${key}"${where(path)}`, [...path, key]),
        atKey: true,
      }));
    case "invalid_type":
      if (isAbsent(data, path)) {
        return [errorFinding("loader.missing_field", `missing required field "${last(path)}"`, path)];
      }
      return [
        errorFinding(
          "loader.invalid_type",
          `expected ${issue.expected}, got ${describeValue(valueAt(data, path))}`,
          path,
        ),
      ];
    case "invalid_union":
      return findingsFromUnion(issue, data, path);
    case "invalid_value":
      return [
        errorFinding(
          "loader.invalid_value",
          `expected ${issue.values.map((value) => JSON.stringify(value)).join(" | ")}, got ${describeValue(valueAt(data, path))}`,
          path,
        ),
      ];
    case "custom": {
      const code = isLoaderCode(issue.params?.loaderCode) ? issue.params.loaderCode : "loader.invalid_value";
      return [errorFinding(code, issue.message, path)];
    }
    default:
      return [errorFinding("loader.invalid_value", issue.message, path)];
  }
}

function findingsFromUnion(issue: z.core.$ZodIssueInvalidUnion, data: unknown, path: YamlPath): Finding[] {
  if ((issue as { note?: string }).note === "No matching discriminator") {
    return [discriminatorFinding(issue, data, path)];
  }
  const branches = issue.errors;
  // A branch whose issues are all below the root accepted the value's kind: report its issues.
  const matching = branches.filter((branch) => branch.every((inner) => inner.path.length > 0));
  if (matching.length > 0) {
    const best = matching.reduce((a, b) => (a.length <= b.length ? a : b));
    return findingsFromIssues(best, data, path);
  }
  if (isAbsent(data, path)) {
    return [errorFinding("loader.missing_field", `missing required field "${last(path)}"`, path)];
  }
  const value = valueAt(data, path);
  const got = describeValue(value);
  const rootIssues = branches.flat().filter((inner) => inner.path.length === 0);
  const allowedValues = rootIssues.flatMap((inner) => (inner.code === "invalid_value" ? inner.values : []));
  const kinds = rootIssues.flatMap((inner) => (inner.code === "invalid_type" ? [inner.expected] : []));
  const expected = [
    ...(allowedValues.length > 0
      ? [allowedValues.map((allowed) => JSON.stringify(allowed)).join(" | ")]
      : []),
    ...new Set(kinds),
  ].join(" or ");
  // A scalar of a kind some branch takes, but not this value of it (an enum, a literal): a bad value.
  const code = allowedValues.some((allowed) => typeof allowed === typeof value)
    ? "loader.invalid_value"
    : "loader.invalid_type";
  return [errorFinding(code, `expected ${expected || "another value"}, got ${got}`, path)];
}

function discriminatorFinding(issue: z.core.$ZodIssueInvalidUnion, data: unknown, path: YamlPath): Finding {
  const options = (issue as { options?: unknown[] }).options ?? [];
  const value = valueAt(data, path);
  const container = path.slice(0, -1);
  if (value === undefined) {
    const parent = valueAt(data, container);
    if (!isRecord(parent)) {
      return errorFinding("loader.invalid_type", `expected object, got ${describeValue(parent)}`, container);
    }
    return errorFinding("loader.missing_field", `missing required field "${last(path)}"`, path);
  }
  const isStep = options.includes("user_message");
  const valid = (isStep ? STEP_TYPES : options).join(", ");
  if (!isStep) {
    return errorFinding(
      "loader.invalid_value",
      `unknown ${last(path)} ${describeValue(value)}; valid: ${valid}`,
      path,
    );
  }
  const hint = typeof value === "string" && PHASE5_STEP_TYPES[value];
  const upgrade = hint
    ? ` ("${value}" is phase-5 syntax: use ${hint}, or mark the file schema_version: 1)`
    : "";
  return errorFinding(
    "loader.unknown_step_type",
    `unknown step type ${describeValue(value)}${upgrade}; valid types: ${valid}`,
    path,
  );
}

function where(path: YamlPath): string {
  return path.length === 0 ? " at the top level" : "";
}

function last(path: YamlPath): string {
  return String(path[path.length - 1] ?? "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function valueAt(data: unknown, path: YamlPath): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function isAbsent(data: unknown, path: YamlPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(data, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) return typeof key === "number" && key >= parent.length;
  return isRecord(parent) && !Object.hasOwn(parent, String(key));
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return "nothing";
  return `${typeof value} ${String(value)}`;
}
