/**
 * @module
 * The TenantDO's half of workflow packages (docs/versioning.md, "Export and import"): reading every
 * version of one workflow for `workflow_export`, and publishing a package's versions for
 * `workflow_import`, all or none. The worker has verified the package and run every version
 * through the publish checks before it gets here; this module adds what only storage knows (a
 * version already published with other text, the quotas) and runs inside the caller's transaction,
 * so a refusal of any version leaves every version unpublished. The versions a package marks
 * yanked are yanked in the same transaction (the pinned default is not carried: docs/versioning.md).
 */
import { EngineError } from "../../engine/errors.ts";
import { triggerProblems } from "../../engine/events/index.ts";
import type { PackageYank } from "../../engine/packages/package-format.ts";
import type { ReleaseChange } from "../../engine/release/release-change.ts";
import type { NewWorkflowVersion, StoredWorkflow } from "./contracts.ts";
import { checkCompatibility } from "./publish-compatibility.ts";
import { assertRoomToPublish } from "./quota-usage.ts";
import { applyReleaseChange, releaseState } from "./workflow-release.ts";
import { getVersion, insertVersion, listVersions } from "./workflow-store.ts";

/** Every version of `name`, ascending, and its yanked ones; `workflow.not_found` without one, `package.too_large` past `max`. */
export function allVersionsOf(
  sql: SqlStorage,
  name: string,
  max: number,
): { versions: StoredWorkflow[]; yanked: PackageYank[] } {
  const versions = listVersions(sql, name).reverse();
  if (versions.length === 0) getVersion(sql, name);
  if (versions.length > max) {
    throw new EngineError(
      "package.too_large",
      `"${name}" has ${versions.length} versions; a package holds at most ${max}. Export single versions with format "yaml".`,
      { path: "workflow" },
    );
  }
  const yanked = releaseState(sql, name).yanked.map(({ version, reason }) => ({
    version,
    ...(reason === undefined ? {} : { reason }),
  }));
  return { versions: versions.map((version) => getVersion(sql, name, version)), yanked };
}

/**
 * Yanks each of `yanks` not yanked yet (call inside the import's transaction, after its versions
 * are stored), with the refusals of `workflow_yank` (`workflow.yank_refused`); `onYanked` audits one.
 * Answers whether any was yanked.
 */
export function applyYanks(
  sql: SqlStorage,
  workflow: string,
  yanks: readonly PackageYank[],
  now: number,
  onYanked: (change: ReleaseChange) => void,
): boolean {
  let changed = false;
  for (const { version, reason } of yanks) {
    const change: ReleaseChange = {
      action: "yank",
      workflow,
      version,
      ...(reason === undefined ? {} : { reason }),
    };
    if (!applyReleaseChange(sql, change, now)) continue;
    onYanked(change);
    changed = true;
  }
  return changed;
}

/** The first trigger problem of any version, thrown before anything is stored. */
export function assertTriggersValid(versions: readonly NewWorkflowVersion[]): void {
  for (const version of versions) {
    const [problem] = triggerProblems(version.definition);
    if (problem !== undefined) {
      throw new EngineError(problem.code, `${version.version}: ${problem.message}`, {
        ...(problem.path === undefined ? {} : { path: problem.path }),
      });
    }
  }
}

/**
 * Stores each version in order (call inside a transaction): an identical one is a no-op, one with
 * other text is `workflow.version_exists`. Each version first passes the publish compatibility check
 * against the version below it (published before, or stored earlier in this call), so a package
 * cannot bring in a breaking change that `workflow_publish` would refuse. `onCreated` registers triggers and audits a new one.
 */
export function insertVersions(
  sql: SqlStorage,
  versions: readonly NewWorkflowVersion[],
  now: number,
  onCreated: (version: NewWorkflowVersion) => void,
): boolean[] {
  return versions.map((version) => {
    assertRoomToPublish(sql, version.name, version.version);
    checkCompatibility(sql, version.definition);
    const { created } = insertVersion(sql, version, now);
    if (created) onCreated(version);
    return created;
  });
}
