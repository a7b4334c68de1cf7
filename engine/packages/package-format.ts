/**
 * @module
 * The workflow package: every published version of one workflow, as published, in one canonical
 * JSON document that `workflow_export` writes and `workflow_import` reads back (docs/versioning.md,
 * "Export and import"). Each version carries its YAML byte for byte, the migrations its YAML
 * declares, the plugin versions publish pinned for it and a SHA-256 checksum; the package carries
 * a checksum of the whole and, when the deployment has a signing key, an Ed25519 signature of it.
 * Format 2 adds `yanked` (with its reason) to a version yanked where it was exported; format 1
 * packages, which have no yanks, are still read.
 * Nothing in it depends on when or where it was exported (no timestamps, no tenant), so
 * export → import → export gives the same package.
 */
import { z } from "zod";
import { MAX_YANK_REASON } from "../release/release-change.ts";

export const PACKAGE_FORMAT = "edgeflow.workflow-package";
export const PACKAGE_FORMAT_VERSION = 2;
/** Every format version import reads (1 has no `yanked`). */
export const READABLE_FORMAT_VERSIONS = [1, 2] as const;

/** The most versions one package holds (export refuses a workflow with more, import a package with more). */
export const MAX_PACKAGE_VERSIONS = 50;
/** The largest package, as canonical JSON: below the 1 MiB request limit (engine/body-size.ts) with room for the envelope. */
export const MAX_PACKAGE_BYTES = 900 * 1024;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits (SHA-256)");
const base64Url = z.string().regex(/^[A-Za-z0-9_-]+$/, "must be base64url without padding");

export const pinnedPluginSchema = z.strictObject({
  /** the service (or `external_state`) the pin is for */
  service: z.string().min(1).max(200),
  plugin: z.string().min(1).max(100),
  version: z.string().min(1).max(100),
});
export type PinnedPlugin = z.output<typeof pinnedPluginSchema>;

export const packageVersionSchema = z.strictObject({
  version: z.string().min(1).max(100),
  /** the YAML exactly as published */
  yaml: z.string().min(1),
  /** the `migrations:` of the YAML, parsed (informative: the YAML is what is published; import checks they agree) */
  migrations: z.array(z.unknown()).max(1000),
  /** the exact plugin versions publish resolved, sorted by service */
  plugins: z.array(pinnedPluginSchema).max(200),
  /** present when the version is yanked where it was exported (format 2); import yanks it too */
  yanked: z.strictObject({ reason: z.string().max(MAX_YANK_REASON).optional() }).optional(),
  /** SHA-256 of the canonical JSON of this entry without `sha256` */
  sha256: sha256Hex,
});
export type PackageVersion = z.output<typeof packageVersionSchema>;

export const packageSignatureSchema = z.strictObject({
  algorithm: z.literal("Ed25519"),
  /** `sha256:` and the first 32 hex digits of the SHA-256 of the raw public key */
  key_id: z.string().regex(/^sha256:[0-9a-f]{32}$/),
  /** the raw 32-byte public key, base64url */
  public_key: base64Url,
  /** the 64-byte signature of `signedMessage(sha256)`, base64url */
  value: base64Url,
});
export type PackageSignature = z.output<typeof packageSignatureSchema>;

export const workflowPackageSchema = z.strictObject({
  format: z.literal(PACKAGE_FORMAT),
  format_version: z.union(READABLE_FORMAT_VERSIONS.map((version) => z.literal(version))),
  workflow: z.string().min(1).max(200),
  /** ascending semver order, no version twice */
  versions: z.array(packageVersionSchema).min(1).max(MAX_PACKAGE_VERSIONS),
  /** SHA-256 of the canonical JSON of the package without `sha256` and `signature` */
  sha256: sha256Hex,
  signature: packageSignatureSchema.optional(),
});
export type WorkflowPackage = z.output<typeof workflowPackageSchema>;

/** A version a package marks yanked, with the reason it was yanked for (what export reads, import applies). */
export interface PackageYank {
  version: string;
  reason?: string;
}

/** The package before its checksums: what an export assembles. */
export interface UnsealedPackage {
  workflow: string;
  versions: Omit<PackageVersion, "sha256">[];
}
