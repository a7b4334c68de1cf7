/**
 * @module
 * The rule publish applies to a comparison (docs/versioning.md, "Compatibility"): which version
 * a new one is compared with (the newest published version below it, and the lowest above it when
 * it goes in between), what a major bump is, and
 * when breaking changes are accepted (a major bump, or a non-empty `breaking_changes` list in the
 * file, which declares the release breaking). Pure.
 */
import semver from "semver";
import type { WorkflowDefinition } from "../dialect/index.ts";
import type { PublishedDefinition } from "../plugins/published.ts";
import { type CompatibilityChange, compareDefinitions } from "./compatibility.ts";

/** The most changes a report carries; past it the report says how many were left out. */
export const MAX_REPORTED_CHANGES = 100;

/** What `workflow_publish` and `workflow_validate` show: the version compared with and the differences. */
export interface CompatibilityReport {
  against: string;
  changes: CompatibilityChange[];
  /** how many differences past `MAX_REPORTED_CHANGES` were left out (absent when none) */
  omitted?: number;
}

/** The newest of `published` strictly below `version`: what a publish of `version` is compared with. */
export function previousVersion(published: readonly string[], version: string): string | undefined {
  return published
    .filter((candidate) => semver.valid(candidate) !== null && semver.lt(candidate, version))
    .sort(semver.rcompare)[0];
}

/**
 * The lowest of `published` strictly above `version`: when a version goes in between two
 * published ones, the step from it to this one must keep the rule too.
 */
export function nextPublishedVersion(published: readonly string[], version: string): string | undefined {
  return published
    .filter((candidate) => semver.valid(candidate) !== null && semver.gt(candidate, version))
    .sort(semver.compare)[0];
}

/**
 * Whether `next` is a major bump over `previous`: its major is higher, or, below 1.0.0 where
 * semver gives no promise, its minor is (0.3.x → 0.4.0).
 */
export function isMajorBump(previous: string, next: string): boolean {
  const before = semver.parse(previous);
  const after = semver.parse(next);
  if (before === null || after === null) return false;
  if (after.major !== before.major) return after.major > before.major;
  return after.major === 0 && after.minor > before.minor;
}

/** Whether the file declares its release breaking: a non-empty `breaking_changes` list. */
export function declaresBreaking(definition: WorkflowDefinition): boolean {
  return (definition.breaking_changes ?? []).some((entry) => entry.trim() !== "");
}

export interface CompatibilityVerdict {
  report: CompatibilityReport;
  /** the breaking changes publish refuses (empty when the publish may go ahead) */
  refused: CompatibilityChange[];
}

/** Compares `next` with the previous version `against` and applies the rule. */
export function judgeCompatibility(
  previous: PublishedDefinition,
  next: PublishedDefinition,
): CompatibilityVerdict {
  const changes = compareDefinitions(previous, next);
  const breaking = changes.filter((change) => change.breaking);
  const accepted = isMajorBump(previous.version, next.version) || declaresBreaking(next);
  const report: CompatibilityReport = {
    against: previous.version,
    changes: changes.slice(0, MAX_REPORTED_CHANGES),
  };
  if (changes.length > MAX_REPORTED_CHANGES) report.omitted = changes.length - MAX_REPORTED_CHANGES;
  return { report, refused: accepted ? [] : breaking };
}

/**
 * The breaking changes from `inserted` (a new version going in between) to the published `above`
 * that the rule refuses: those of a pair that is not a major bump and where `above` does not
 * declare its release breaking.
 */
export function refusedAbove(
  inserted: PublishedDefinition,
  above: PublishedDefinition,
): CompatibilityChange[] {
  return judgeCompatibility(inserted, above).refused;
}

/** The refusal's message when the version above would break against the one going in between. */
export function describeRefusalAbove(
  above: string,
  inserted: string,
  refused: readonly CompatibilityChange[],
): string {
  const listed = refused.slice(0, 10).map((change) => `${change.kind} ${change.path}: ${change.message}`);
  const more = refused.length > 10 ? `; and ${refused.length - 10} more` : "";
  return (
    `Version ${inserted} goes in between published versions: the published ${above} would have ` +
    `${refused.length} breaking change${refused.length === 1 ? "" : "s"} against it without a major version bump: ` +
    `${listed.join("; ")}${more}. Runs of ${inserted} would then move to ${above} on a minor update. Make ` +
    `${inserted} compatible with ${above} too (workflow_validate shows the comparison).`
  );
}

/** The refusal's message: the version compared with and each breaking change (the first 10). */
export function describeRefusal(
  against: string,
  next: string,
  refused: readonly CompatibilityChange[],
): string {
  const listed = refused.slice(0, 10).map((change) => `${change.kind} ${change.path}: ${change.message}`);
  const more = refused.length > 10 ? `; and ${refused.length - 10} more` : "";
  return (
    `Version ${next} has ${refused.length} breaking change${refused.length === 1 ? "" : "s"} against ${against} ` +
    `without a major version bump: ${listed.join("; ")}${more}. Bump the major version, or list the changes ` +
    "in breaking_changes to declare the release breaking (workflow_validate shows the comparison)."
  );
}
