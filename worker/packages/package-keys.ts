/**
 * @module
 * The deployment's package keys, from its secrets and variables (docs/versioning.md, "Export and
 * import"): `EDGEFLOW_PACKAGE_SIGNING_KEY` (an Ed25519 PKCS#8 PEM or private JWK) signs exported
 * packages; `EDGEFLOW_PACKAGE_TRUSTED_KEYS` (comma-separated raw public keys, base64url or base64)
 * lists the keys whose signatures `workflow_import` accepts, the deployment's own always among
 * them; `EDGEFLOW_PACKAGE_REQUIRE_SIGNATURE=1` refuses unsigned packages. A key that does not
 * parse is `package.keys_misconfigured`, never echoed.
 */
import { EngineError } from "../../engine/errors.ts";
import {
  importSigningKey,
  normalizePublicKey,
  type PackageSigningKey,
} from "../../engine/packages/package-signature.ts";
import type { PackageTrust } from "../../engine/packages/package-verification.ts";
import type { Env } from "../env.ts";

/** The signing key, or `undefined` when none is configured (packages are then unsigned). */
export async function signingKeyOf(env: Env): Promise<PackageSigningKey | undefined> {
  const text = env.EDGEFLOW_PACKAGE_SIGNING_KEY;
  return text === undefined || text.trim() === "" ? undefined : importSigningKey(text);
}

export async function packageTrustOf(env: Env): Promise<PackageTrust> {
  const trustedKeys = new Set<string>();
  for (const entry of (env.EDGEFLOW_PACKAGE_TRUSTED_KEYS ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const key = normalizePublicKey(entry);
    if (key === undefined) {
      throw new EngineError(
        "package.keys_misconfigured",
        "EDGEFLOW_PACKAGE_TRUSTED_KEYS holds an entry that is not a raw Ed25519 public key (32 bytes, base64url); see docs/versioning.md.",
      );
    }
    trustedKeys.add(key);
  }
  const own = await signingKeyOf(env);
  if (own !== undefined) trustedKeys.add(own.publicKey);
  return { trustedKeys, requireSignature: env.EDGEFLOW_PACKAGE_REQUIRE_SIGNATURE === "1" };
}
