/**
 * @module
 * The compatibility check of a publish (docs/versioning.md, "Compatibility"): the new version is
 * compared with the newest published version of the same workflow below it, and, when it goes in
 * between, the lowest published version above it is compared with it; a breaking change without a
 * major bump, and not declared in `breaking_changes`, refuses the publish with
 * `publish.breaking_change`. Runs inside the publish transaction, so two publishes cannot both
 * pass against a version the other replaces.
 */
import { EngineError } from "../../engine/errors.ts";
import type { PublishedDefinition } from "../../engine/plugins/published.ts";
import {
  type CompatibilityReport,
  describeRefusal,
  describeRefusalAbove,
  judgeCompatibility,
  nextPublishedVersion,
  previousVersion,
  refusedAbove,
} from "../../engine/versions/compatibility-rule.ts";
import { getVersion, listVersions } from "./workflow-store.ts";

/**
 * What the rule says of `next` against the published versions: the report against the previous
 * version (undefined for the first), and each refusal as an error (`below`: the previous version
 * to `next`; `above`: `next` to the published version above it, when `next` goes in between). A
 * version already published (the same text again) is not refused: it passed when it was stored.
 */
export function judgePublish(
  sql: SqlStorage,
  next: PublishedDefinition,
): { report?: CompatibilityReport; below?: EngineError; above?: EngineError } {
  const published = listVersions(sql, next.name);
  if (published.includes(next.version)) return { report: reportAgainstPrevious(sql, next, published) };
  const above = refusalAbove(sql, next, published);
  const against = previousVersion(published, next.version);
  if (against === undefined) return above === undefined ? {} : { above };
  const verdict = judgeCompatibility(getVersion(sql, next.name, against).definition, next);
  const below =
    verdict.refused.length === 0
      ? undefined
      : refusal(describeRefusal(against, next.version, verdict.refused));
  return {
    report: verdict.report,
    ...(below === undefined ? {} : { below }),
    ...(above === undefined ? {} : { above }),
  };
}

/** Publish and import: the report against the previous version; throws the rule's refusal. */
export function checkCompatibility(
  sql: SqlStorage,
  next: PublishedDefinition,
): CompatibilityReport | undefined {
  const { report, below, above } = judgePublish(sql, next);
  const refused = above ?? below;
  if (refused !== undefined) throw refused;
  return report;
}

function reportAgainstPrevious(
  sql: SqlStorage,
  next: PublishedDefinition,
  published: readonly string[],
): CompatibilityReport | undefined {
  const against = previousVersion(published, next.version);
  if (against === undefined) return undefined;
  return judgeCompatibility(getVersion(sql, next.name, against).definition, next).report;
}

/** A version going in between: the published version above it must keep the rule against it. */
function refusalAbove(
  sql: SqlStorage,
  next: PublishedDefinition,
  published: readonly string[],
): EngineError | undefined {
  const above = nextPublishedVersion(published, next.version);
  if (above === undefined) return undefined;
  const refused = refusedAbove(next, getVersion(sql, next.name, above).definition);
  if (refused.length === 0) return undefined;
  return refusal(describeRefusalAbove(above, next.version, refused));
}

function refusal(message: string): EngineError {
  return new EngineError("publish.breaking_change", message, { path: "version" });
}
