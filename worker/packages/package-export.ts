/**
 * @module
 * `workflow_export` with format "package": every published version of a workflow read from the
 * tenant's DO, sealed in canonical form (engine/packages/package-checksums.ts) and signed when the
 * deployment has a signing key. Versions carry the YAML as published, the migrations it declares
 * and the plugin versions publish pinned, and a yanked version its yank reason (not when it was
 * yanked); nothing tenant- or time-specific.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { canonicalJson } from "../../engine/audit/canonical-json.ts";
import { EngineError } from "../../engine/errors.ts";
import { sealPackage } from "../../engine/packages/package-checksums.ts";
import {
  MAX_PACKAGE_BYTES,
  MAX_PACKAGE_VERSIONS,
  type PackageYank,
  type WorkflowPackage,
} from "../../engine/packages/package-format.ts";
import { signPackageChecksum } from "../../engine/packages/package-signature.ts";
import { pinsOf } from "../../engine/packages/plugin-pins.ts";
import type { TenantScope } from "../mcp/tool-kit.ts";
import { signingKeyOf } from "./package-keys.ts";

export async function exportPackage(scope: TenantScope, workflow: string): Promise<WorkflowPackage> {
  const signingKey = await signingKeyOf(scope.env);
  const { versions: stored, yanked } = await unwrap(
    tenantStub(scope.env, scope.tenant).exportWorkflowVersions(scope.tenant, workflow, MAX_PACKAGE_VERSIONS),
  );
  const sealed = await sealPackage({
    workflow,
    versions: stored.map((version) => ({
      version: version.version,
      yaml: version.yaml,
      migrations: version.definition.migrations ?? [],
      plugins: pinsOf(version.definition),
      ...yankOf(version.version, yanked),
    })),
  });
  const pkg =
    signingKey === undefined
      ? sealed
      : { ...sealed, signature: await signPackageChecksum(sealed.sha256, signingKey) };
  const size = new TextEncoder().encode(canonicalJson(pkg)).length;
  if (size > MAX_PACKAGE_BYTES) {
    throw new EngineError(
      "package.too_large",
      `The package of "${workflow}" would be ${size} bytes; the limit is ${MAX_PACKAGE_BYTES}. Export single versions with format "yaml".`,
      { path: "workflow" },
    );
  }
  return pkg;
}

/** `{yanked: {reason?}}` for a version yanked here, nothing otherwise. */
function yankOf(version: string, yanked: readonly PackageYank[]): { yanked?: { reason?: string } } {
  const yank = yanked.find((candidate) => candidate.version === version);
  if (yank === undefined) return {};
  return { yanked: yank.reason === undefined ? {} : { reason: yank.reason } };
}
