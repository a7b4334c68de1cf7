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
 * The report against the previous version (undefined for the first); throws when the rule refuses.
 * A version already published (the same text again) is not refused: it passed when it was stored.
 */
export function checkCompatibility(
  sql: SqlStorage,
  next: PublishedDefinition,
): CompatibilityReport | undefined {
  const published = listVersions(sql, next.name);
  if (!published.includes(next.version)) checkAbove(sql, next, published);
  const against = previousVersion(published, next.version);
  if (against === undefined) return undefined;
  const verdict = judgeCompatibility(getVersion(sql, next.name, against).definition, next);
  if (verdict.refused.length > 0 && !published.includes(next.version)) {
    throw new EngineError(
      "publish.breaking_change",
      describeRefusal(against, next.version, verdict.refused),
      {
        path: "version",
      },
    );
  }
  return verdict.report;
}

/** A version going in between: the published version above it must keep the rule against it. */
function checkAbove(sql: SqlStorage, next: PublishedDefinition, published: readonly string[]): void {
  const above = nextPublishedVersion(published, next.version);
  if (above === undefined) return;
  const refused = refusedAbove(next, getVersion(sql, next.name, above).definition);
  if (refused.length === 0) return;
  throw new EngineError("publish.breaking_change", describeRefusalAbove(above, next.version, refused), {
    path: "version",
  });
}
