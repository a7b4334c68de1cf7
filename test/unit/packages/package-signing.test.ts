/**
 * Workflow packages in Node: the canonical form (order-independent, no timestamps), the checksums
 * (any changed byte is caught), and Ed25519 signing and verifying with real WebCrypto keys, from a
 * PKCS#8 PEM as `openssl genpkey -algorithm ed25519` writes it and from a JWK.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../engine/audit/canonical-json.ts";
import { EngineError } from "../../../engine/errors.ts";
import { checksumProblem, sealPackage } from "../../../engine/packages/package-checksums.ts";
import type { UnsealedPackage } from "../../../engine/packages/package-format.ts";
import {
  importSigningKey,
  normalizePublicKey,
  signPackageChecksum,
  verifyPackageSignature,
} from "../../../engine/packages/package-signature.ts";
import { verifyPackage } from "../../../engine/packages/package-verification.ts";

const unsealed: UnsealedPackage = {
  workflow: "demo",
  versions: [
    {
      version: "1.10.0",
      yaml: "name: demo\nversion: 1.10.0\n",
      migrations: [],
      plugins: [
        { service: "zeta", plugin: "http", version: "1.0.0" },
        { service: "alpha", plugin: "kv", version: "1.0.0" },
      ],
    },
    {
      version: "1.2.0",
      yaml: "name: demo\nversion: 1.2.0\n",
      migrations: [{ from: "1.x", to: "1.2.0", script: "{{ state }}" }],
      plugins: [],
    },
  ],
};

function engineErrorCode(thrown: unknown): string {
  if (thrown instanceof EngineError) return thrown.code;
  throw thrown;
}

function newPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

describe("package canonical form and checksums", () => {
  it("orders versions by semver and pins by service, whatever order they came in", async () => {
    const sealed = await sealPackage(unsealed);
    expect(sealed.versions.map((entry) => entry.version)).toEqual(["1.2.0", "1.10.0"]);
    expect(sealed.versions[1]!.plugins.map((pin) => pin.service)).toEqual(["alpha", "zeta"]);
    const reversed = await sealPackage({ ...unsealed, versions: [...unsealed.versions].reverse() });
    expect(canonicalJson(reversed)).toBe(canonicalJson(sealed));
    expect(JSON.stringify(sealed)).not.toMatch(/_at"|time/);
  });

  it("finds a changed YAML byte, a changed version checksum and a changed whole checksum", async () => {
    const sealed = await sealPackage(unsealed);
    expect(await checksumProblem(sealed)).toBeUndefined();
    const yamlChanged = structuredClone(sealed);
    yamlChanged.versions[0]!.yaml += " ";
    expect((await checksumProblem(yamlChanged))?.path).toBe("versions[0].sha256");
    const entryResealed = structuredClone(sealed);
    entryResealed.versions[0]!.sha256 = "0".repeat(64);
    expect((await checksumProblem(entryResealed))?.path).toBe("versions[0].sha256");
    const wholeChanged = structuredClone(sealed);
    wholeChanged.sha256 = "f".repeat(64);
    expect((await checksumProblem(wholeChanged))?.path).toBe("sha256");
  });
});

describe("package signatures (Ed25519, WebCrypto)", () => {
  it("signs with a PKCS#8 PEM and verifies; a JWK of the same key gives the same key id and signature", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const jwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    const fromPem = await importSigningKey(pem);
    const fromJwk = await importSigningKey(jwk);
    expect(fromJwk.keyId).toBe(fromPem.keyId);
    expect(fromPem.keyId).toMatch(/^sha256:[0-9a-f]{32}$/);
    const sealed = await sealPackage(unsealed);
    const signature = await signPackageChecksum(sealed.sha256, fromPem);
    expect(await signPackageChecksum(sealed.sha256, fromJwk)).toEqual(signature);
    expect(await verifyPackageSignature(sealed.sha256, signature)).toBe(true);
    expect(await verifyPackageSignature("0".repeat(64), signature)).toBe(false);
  });

  it("refuses a key that is not an Ed25519 private key without echoing it", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    for (const text of ["not a key", rsa.toString(), '{"kty":"OKP","crv":"Ed25519"}']) {
      const thrown = await importSigningKey(text).catch((error: unknown) => error);
      expect(engineErrorCode(thrown)).toBe("package.keys_misconfigured");
      expect(String((thrown as Error).message)).not.toContain(text.slice(0, 20));
    }
  });

  it("verifyPackage: trusted, untrusted, tampered signature, signature required", async () => {
    const key = await importSigningKey(newPem());
    const sealed = await sealPackage(unsealed);
    const signed = { ...sealed, signature: await signPackageChecksum(sealed.sha256, key) };
    const trusted = { trustedKeys: new Set([key.publicKey]), requireSignature: false };
    await expect(verifyPackage(signed, trusted)).resolves.toEqual(signed);
    const codeOf = (candidate: unknown, trust = trusted) =>
      verifyPackage(candidate, trust).then(
        () => "accepted",
        (error: unknown) => engineErrorCode(error),
      );
    expect(await codeOf(signed, { trustedKeys: new Set(), requireSignature: false })).toBe(
      "package.untrusted_key",
    );
    const flipped = signed.signature.value.startsWith("A")
      ? `B${signed.signature.value.slice(1)}`
      : `A${signed.signature.value.slice(1)}`;
    expect(await codeOf({ ...signed, signature: { ...signed.signature, value: flipped } })).toBe(
      "package.signature_invalid",
    );
    expect(await codeOf(sealed)).toBe("accepted");
    expect(await codeOf(sealed, { trustedKeys: new Set(), requireSignature: true })).toBe(
      "package.signature_required",
    );
    expect(await codeOf({ ...sealed, extra: 1 })).toBe("package.malformed");
    expect(await codeOf("nope")).toBe("package.malformed");
  });

  it("normalizes trusted keys written as base64 or base64url", async () => {
    const key = await importSigningKey(newPem());
    const standard = key.publicKey.replaceAll("-", "+").replaceAll("_", "/");
    expect(normalizePublicKey(`${standard}=`)).toBe(key.publicKey);
    expect(normalizePublicKey("c2hvcnQ")).toBeUndefined();
  });
});
