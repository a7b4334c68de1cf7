/**
 * @module
 * What `workflow_import` checks of a package before it looks at any workflow: its size, its
 * shape, its version list, every checksum, and its signature against the keys the deployment
 * trusts. Each failure is its own code (docs/versioning.md, "Export and import"). An unsigned
 * package is accepted unless the deployment requires signatures (`requireSignature`).
 */
import semver from "semver";
import { canonicalJson } from "../audit/canonical-json.ts";
import { EngineError } from "../errors.ts";
import { checksumProblem } from "./package-checksums.ts";
import {
  MAX_PACKAGE_BYTES,
  MAX_PACKAGE_VERSIONS,
  type WorkflowPackage,
  workflowPackageSchema,
} from "./package-format.ts";
import { verifyPackageSignature } from "./package-signature.ts";

export interface PackageTrust {
  /** raw public keys (base64url) whose signatures the deployment accepts */
  trustedKeys: ReadonlySet<string>;
  requireSignature: boolean;
}

/** The package, verified; throws the first problem's code otherwise. Nothing here depends on a tenant. */
export async function verifyPackage(candidate: unknown, trust: PackageTrust): Promise<WorkflowPackage> {
  const pkg = parsePackage(candidate);
  const problem = await checksumProblem(pkg);
  if (problem !== undefined)
    throw new EngineError("package.checksum_mismatch", problem.message, { path: problem.path });
  if (pkg.signature === undefined) {
    if (trust.requireSignature) {
      throw new EngineError(
        "package.signature_required",
        "This deployment imports signed packages only (EDGEFLOW_PACKAGE_REQUIRE_SIGNATURE); export the package from a deployment with a signing key.",
        { path: "signature" },
      );
    }
    return pkg;
  }
  if (!trust.trustedKeys.has(pkg.signature.public_key)) {
    throw new EngineError(
      "package.untrusted_key",
      `The package is signed by key ${pkg.signature.key_id}, which this deployment does not trust (EDGEFLOW_PACKAGE_TRUSTED_KEYS).`,
      { path: "signature.public_key" },
    );
  }
  if (!(await verifyPackageSignature(pkg.sha256, pkg.signature))) {
    throw new EngineError(
      "package.signature_invalid",
      "The package's signature does not verify with the key it names.",
      {
        path: "signature.value",
      },
    );
  }
  return pkg;
}

function parsePackage(candidate: unknown): WorkflowPackage {
  const size = new TextEncoder().encode(canonicalJson(candidate)).length;
  if (size > MAX_PACKAGE_BYTES) {
    throw new EngineError(
      "package.too_large",
      `The package is ${size} bytes; the limit is ${MAX_PACKAGE_BYTES}.`,
    );
  }
  const versions = (candidate as { versions?: unknown } | null)?.versions;
  if (Array.isArray(versions) && versions.length > MAX_PACKAGE_VERSIONS) {
    throw new EngineError(
      "package.too_large",
      `The package holds ${versions.length} versions; the limit is ${MAX_PACKAGE_VERSIONS}.`,
      { path: "versions" },
    );
  }
  const parsed = workflowPackageSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join(".") ?? "";
    throw new EngineError(
      "package.malformed",
      `Not a workflow package: ${path === "" ? "" : `${path}: `}${issue?.message ?? "invalid"}.`,
      {
        ...(path === "" ? {} : { path }),
      },
    );
  }
  const pkg = parsed.data;
  for (const [index, entry] of pkg.versions.entries()) {
    const previous = pkg.versions[index - 1];
    if (
      semver.valid(entry.version) === null ||
      (previous !== undefined && !semver.gt(entry.version, previous.version))
    ) {
      throw new EngineError(
        "package.malformed",
        `versions[${index}]: "${entry.version}" is not a semver version above the one before it; versions are listed once each, ascending.`,
        { path: `versions[${index}].version` },
      );
    }
  }
  return pkg;
}
