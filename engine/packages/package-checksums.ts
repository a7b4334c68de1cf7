/**
 * @module
 * Checksums of a workflow package: SHA-256 (WebCrypto) of the canonical JSON (keys sorted, no
 * whitespace: engine/audit/canonical-json.ts) of each version entry without its own `sha256`, and
 * of the whole package without `sha256` and `signature`. `sealPackage` computes them for an
 * export; `checksumProblem` finds the first one a package gets wrong. The signature covers the
 * whole checksum, which covers every version checksum, which covers every byte of every YAML.
 */
import semver from "semver";
import { canonicalJson } from "../audit/canonical-json.ts";
import {
  PACKAGE_FORMAT,
  PACKAGE_FORMAT_VERSION,
  type PackageVersion,
  type UnsealedPackage,
  type WorkflowPackage,
} from "./package-format.ts";

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The checksum of one version entry (its `sha256` left out). */
export function versionChecksum(entry: Omit<PackageVersion, "sha256">): Promise<string> {
  const { version, yaml, migrations, plugins, yanked } = entry;
  return sha256Hex(
    canonicalJson({ version, yaml, migrations, plugins, ...(yanked === undefined ? {} : { yanked }) }),
  );
}

/** The checksum of the whole package (its `sha256` and `signature` left out). */
export function packageChecksum(
  pkg: Pick<WorkflowPackage, "format" | "format_version" | "workflow" | "versions">,
): Promise<string> {
  const { format, format_version, workflow, versions } = pkg;
  return sha256Hex(canonicalJson({ format, format_version, workflow, versions }));
}

/** The unsigned package in canonical order (versions ascending, pins by service) with its checksums. */
export async function sealPackage(unsealed: UnsealedPackage): Promise<WorkflowPackage> {
  const ordered = [...unsealed.versions].sort((a, b) => semver.compare(a.version, b.version));
  const versions = await Promise.all(
    ordered.map(async (entry) => {
      const plugins = [...entry.plugins].sort((a, b) => compareText(a.service, b.service));
      const sorted = { ...entry, plugins };
      return { ...sorted, sha256: await versionChecksum(sorted) };
    }),
  );
  const body = {
    format: PACKAGE_FORMAT,
    format_version: PACKAGE_FORMAT_VERSION,
    workflow: unsealed.workflow,
    versions,
  } as const;
  return { ...body, sha256: await packageChecksum(body) };
}

/** The first checksum the package gets wrong, as a path and a message; `undefined` when all agree. */
export async function checksumProblem(
  pkg: WorkflowPackage,
): Promise<{ path: string; message: string } | undefined> {
  for (const [index, entry] of pkg.versions.entries()) {
    if ((await versionChecksum(entry)) !== entry.sha256) {
      return {
        path: `versions[${index}].sha256`,
        message: `Version ${entry.version}'s content does not match its checksum: the package was changed after export.`,
      };
    }
  }
  if ((await packageChecksum(pkg)) !== pkg.sha256) {
    return {
      path: "sha256",
      message: "The package does not match its checksum: it was changed after export.",
    };
  }
  return undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
