/**
 * @module
 * `version` is a valid semver (`loader.bad_version`).
 */
import semver from "semver";
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord } from "../step-walk.ts";

export function checkVersion(document: unknown): Finding[] {
  if (!isPlainRecord(document) || typeof document.version !== "string") return [];
  if (semver.valid(document.version) !== null) return [];
  return [
    errorFinding(
      "loader.bad_version",
      `version "${document.version}" is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)`,
      ["version"],
    ),
  ];
}
