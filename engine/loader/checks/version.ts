/**
 * @module
 * `version` is a semantic version written the canonical way (`loader.bad_version`): exactly
 * `MAJOR.MINOR.PATCH` with an optional prerelease, no leading `v` or `=`, no build metadata.
 * semver reads `v1.0.0`, `=1.0.0` and `1.0.0+build` as 1.0.0; accepting them would let a second
 * spelling of a published version dodge the compatibility check (docs/versioning.md).
 */
import semver from "semver";
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord } from "../step-walk.ts";

/** Whether `version` is semver in its canonical spelling without build metadata. */
export function isCanonicalVersion(version: string): boolean {
  return semver.valid(version) === version && !version.includes("+");
}

export function checkVersion(document: unknown): Finding[] {
  if (!isPlainRecord(document) || typeof document.version !== "string") return [];
  if (isCanonicalVersion(document.version)) return [];
  return [
    errorFinding(
      "loader.bad_version",
      `version "${document.version}" is not a semantic version written as MAJOR.MINOR.PATCH (e.g. 1.0.0, 2.0.0-rc.1; no leading "v", no "+build" metadata)`,
      ["version"],
    ),
  ];
}
