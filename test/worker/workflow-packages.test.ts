/**
 * workflow_export and workflow_import in workerd, with the deployment's Ed25519 signing key from
 * vitest.config.ts: the YAML byte for byte, the definition as JSON, a signed package of every
 * version (real WebCrypto here), imported into another tenant, export → import → export equal,
 * and every tampered package refused with its code and nothing published, all or none.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../engine/audit/canonical-json.ts";
import { checksumProblem, packageChecksum, sealPackage } from "../../engine/packages/package-checksums.ts";
import type { WorkflowPackage } from "../../engine/packages/package-format.ts";
import {
  importSigningKey,
  signPackageChecksum,
  verifyPackageSignature,
} from "../../engine/packages/package-signature.ts";
import { demoV1, demoV2, TEST_CATALOG } from "../support/test-plugin-catalog.ts";
import { callTool, newTenant, type ToolCall, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

/** The private half of the second key vitest.config.ts lists in EDGEFLOW_PACKAGE_TRUSTED_KEYS. */
const TRUSTED_PARTNER_JWK = JSON.stringify({
  crv: "Ed25519",
  d: "31BJ7KH7ju_TpdruPSlgWz2a05EAI2WJvy6hYDVFPLw",
  x: "YmJzwxFp18zf4viMrcq3L8HXnf8gPGgKJImtC2tHPvE",
  kty: "OKP",
});

// comments, odd spacing and key order: the export must give these bytes back unchanged
const V1 = `# deploys things
name:   "pkg:deploy"
version: "1.0.0"
description: "Calls the deployment API"
services:
  deployment_api:
    uses: "http@^1"
    config:
      base_url: "https://deploy.example.com/api"
default_state:
  state:
    counter: 0
steps:
  - id: "hello"
    type: "user_message"
    message: "count {{ this.counter }}"   # trailing comment
`;
const V2 = V1.replace('version: "1.0.0"', 'version: "1.1.0"').replace(
  "steps:",
  `migrations:
  - from: "1.0.0"
    to: "1.1.0"
    script: "{{ ({ ...state }) }}"
steps:`,
);

let a: { id: string; apiKey: string };
let exported: WorkflowPackage;

async function ok(call: Promise<ToolCall>): Promise<Record<string, unknown>> {
  const result = await call;
  expect(result.isError, result.text).toBe(false);
  return result.structured;
}

async function exportPackageOf(apiKey: string): Promise<WorkflowPackage> {
  const answer = await ok(callTool(apiKey, "workflow_export", { workflow: "pkg:deploy", format: "package" }));
  return answer.package as WorkflowPackage;
}

async function workflowNames(apiKey: string): Promise<string[]> {
  const listed = await ok(callTool(apiKey, "workflow_list"));
  return (listed.workflows as { name: string; versions: string[] }[]).map(
    (workflow) => `${workflow.name}@${workflow.versions.join(",")}`,
  );
}

/** Imports into a fresh tenant: the refusal's code, and proof that nothing was published. */
async function refusedImport(candidate: unknown): Promise<string> {
  const tenant = await newTenant("pkgx");
  const call = await callTool(tenant.apiKey, "workflow_import", { package: candidate });
  const { code } = toolErrorOf(call);
  expect(await workflowNames(tenant.apiKey)).toEqual([]);
  return code;
}

beforeAll(async () => {
  a = await newTenant("pkga");
  await publish(a.apiKey, V2);
  await publish(a.apiKey, V1);
  exported = await exportPackageOf(a.apiKey);
});

describe("workflow_export", () => {
  it("answers the YAML exactly as published, of the newest version by default or of the one asked for", async () => {
    const newest = await ok(callTool(a.apiKey, "workflow_export", { workflow: "pkg:deploy" }));
    expect(newest).toEqual({ workflow: "pkg:deploy", format: "yaml", version: "1.1.0", yaml: V2 });
    const first = await ok(
      callTool(a.apiKey, "workflow_export", { workflow: "pkg:deploy", version: "1.0.0" }),
    );
    expect(first.yaml).toBe(V1);
  });

  it("answers the parsed definition as JSON, without what publish added", async () => {
    const json = await ok(callTool(a.apiKey, "workflow_export", { workflow: "pkg:deploy", format: "json" }));
    const definition = json.definition as Record<string, unknown>;
    expect(definition).toMatchObject({
      name: "pkg:deploy",
      version: "1.1.0",
      migrations: [{ from: "1.0.0" }],
    });
    expect(definition.resolved).toBeUndefined();
  });

  it("answers a signed package of every version, with migrations, plugin pins and checksums", async () => {
    expect(exported.versions.map((entry) => [entry.version, entry.yaml])).toEqual([
      ["1.0.0", V1],
      ["1.1.0", V2],
    ]);
    expect(exported.versions[0]!.migrations).toEqual([]);
    expect(exported.versions[1]!.migrations).toEqual([
      { from: "1.0.0", to: "1.1.0", script: "{{ ({ ...state }) }}" },
    ]);
    expect(exported.versions[1]!.plugins).toEqual([
      { service: "deployment_api", plugin: "http", version: "1.1.0" },
    ]);
    expect(await checksumProblem(exported)).toBeUndefined();
    expect(exported.signature?.algorithm).toBe("Ed25519");
    expect(await verifyPackageSignature(exported.sha256, exported.signature!)).toBe(true);
    expect(canonicalJson(exported)).not.toMatch(/published_at|pkga/);
    expect(await exportPackageOf(a.apiKey)).toEqual(exported);
  });

  it("refuses an unknown workflow and an unknown version", async () => {
    const missing = await callTool(a.apiKey, "workflow_export", { workflow: "pkg:nope", format: "package" });
    expect(toolErrorOf(missing).code).toBe("workflow.not_found");
    const noVersion = await callTool(a.apiKey, "workflow_export", {
      workflow: "pkg:deploy",
      version: "9.9.9",
    });
    expect(toolErrorOf(noVersion).code).toBe("workflow.not_found");
    const badFormat = await callTool(a.apiKey, "workflow_export", { workflow: "pkg:deploy", format: "zip" });
    expect(toolErrorOf(badFormat).code).toBe("input.invalid");
  });
});

describe("workflow_import", () => {
  it("publishes every version into another tenant; export → import → export gives the same package", async () => {
    const b = await newTenant("pkgb");
    const imported = await ok(callTool(b.apiKey, "workflow_import", { package: exported }));
    expect(imported).toEqual({
      workflow: "pkg:deploy",
      versions: [
        { version: "1.0.0", created: true },
        { version: "1.1.0", created: true },
      ],
      signed_by: exported.signature!.key_id,
    });
    const again = await exportPackageOf(b.apiKey);
    expect(canonicalJson(again)).toBe(canonicalJson(exported));
    const yaml = await ok(
      callTool(b.apiKey, "workflow_export", { workflow: "pkg:deploy", version: "1.0.0" }),
    );
    expect(yaml.yaml).toBe(V1);
    // a second import changes nothing
    const repeated = await ok(callTool(b.apiKey, "workflow_import", { package: exported }));
    expect(repeated.versions).toEqual([
      { version: "1.0.0", created: false },
      { version: "1.1.0", created: false },
    ]);
    // and the imported version runs
    const started = await ok(callTool(b.apiKey, "workflow_start", { workflow: "pkg:deploy" }));
    expect(started.version).toBe("1.1.0");
  });

  it("accepts an unsigned package and one signed by a trusted partner key", async () => {
    const { signature: _signature, ...unsigned } = exported;
    const b = await newTenant("pkgu");
    expect(
      (await ok(callTool(b.apiKey, "workflow_import", { package: unsigned }))).signed_by,
    ).toBeUndefined();
    const partner = await importSigningKey(TRUSTED_PARTNER_JWK);
    const partnerSigned = { ...unsigned, signature: await signPackageChecksum(unsigned.sha256, partner) };
    const c = await newTenant("pkgp");
    expect((await ok(callTool(c.apiKey, "workflow_import", { package: partnerSigned }))).signed_by).toBe(
      partner.keyId,
    );
  });

  it("refuses a tampered package with its code and publishes nothing", async () => {
    const changedYaml = structuredClone(exported);
    changedYaml.versions[0]!.yaml = V1.replace("count", "COUNT");
    expect(await refusedImport(changedYaml)).toBe("package.checksum_mismatch");

    const changedChecksum = structuredClone(exported);
    changedChecksum.sha256 = "0".repeat(64);
    expect(await refusedImport(changedChecksum)).toBe("package.checksum_mismatch");

    // changed YAML with every checksum recomputed: only the signature still speaks for the original
    const resealed = await sealPackage({
      workflow: exported.workflow,
      versions: exported.versions.map(({ sha256: _sha, ...entry }, index) =>
        index === 0 ? { ...entry, yaml: V1.replace("count", "COUNT") } : entry,
      ),
    });
    expect(await refusedImport({ ...resealed, signature: exported.signature })).toBe(
      "package.signature_invalid",
    );

    const changedSignature = structuredClone(exported);
    const value = changedSignature.signature!.value;
    changedSignature.signature!.value = `${value[0] === "A" ? "B" : "A"}${value.slice(1)}`;
    expect(await refusedImport(changedSignature)).toBe("package.signature_invalid");

    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const stranger = await importSigningKey(
      JSON.stringify(await crypto.subtle.exportKey("jwk", pair.privateKey)),
    );
    const strangerSigned = { ...resealed, signature: await signPackageChecksum(resealed.sha256, stranger) };
    expect(await refusedImport(strangerSigned)).toBe("package.untrusted_key");
  });

  it("refuses oversized and malformed packages", async () => {
    const many = { ...exported, versions: Array.from({ length: 51 }, () => exported.versions[0]) };
    expect(await refusedImport(many)).toBe("package.too_large");
    const huge = structuredClone(exported);
    huge.versions[0]!.yaml = `${V1}# ${"x".repeat(950 * 1024)}\n`;
    expect(await refusedImport(huge)).toBe("package.too_large");
    expect(await refusedImport({ ...exported, format: "zip" })).toBe("package.malformed");
    expect(await refusedImport({ ...exported, versions: [] })).toBe("package.malformed");
    const reversed = await sealPackage({ workflow: exported.workflow, versions: [] });
    expect(await refusedImport({ ...reversed, versions: [...exported.versions].reverse() })).toBe(
      "package.malformed",
    );
    // the YAML's own name must be the package's
    const renamed = await sealPackage({
      workflow: "pkg:other",
      versions: exported.versions.map(({ sha256: _sha, ...entry }) => entry),
    });
    expect(await refusedImport(renamed)).toBe("package.malformed");
  });

  it("refuses a pinned plugin version the deployment lacks", async () => {
    const pinned = await sealPackage({
      workflow: exported.workflow,
      versions: exported.versions.map(({ sha256: _sha, ...entry }) => ({
        ...entry,
        plugins: entry.plugins.map((pin) => ({ ...pin, version: "1.0.99" })),
      })),
    });
    expect(await refusedImport(pinned)).toBe("package.plugin_unavailable");
  });

  it("is all or nothing: a version published with other YAML refuses every version", async () => {
    const c = await newTenant("pkgc");
    await publish(c.apiKey, V2.replace("count {{", "other {{"));
    const call = await callTool(c.apiKey, "workflow_import", { package: exported });
    expect(toolErrorOf(call).code).toBe("workflow.version_exists");
    // 1.0.0 comes first in the package and was stored in the same transaction: it is gone again
    expect(await workflowNames(c.apiKey)).toEqual(["pkg:deploy@1.1.0"]);
  });

  it("carries yanks with their reasons: the target yanks them too, and export → import → export is equal", async () => {
    const source = await newTenant("pkgy");
    await publish(source.apiKey, V1);
    await publish(source.apiKey, V2);
    await ok(
      callTool(source.apiKey, "workflow_yank", { workflow: "pkg:deploy", version: "1.1.0", reason: "bad" }),
    );
    const withYank = await exportPackageOf(source.apiKey);
    expect(withYank.format_version).toBe(2);
    expect(withYank.versions.map((entry) => entry.yanked)).toEqual([undefined, { reason: "bad" }]);
    const target = await newTenant("pkgy2");
    await ok(callTool(target.apiKey, "workflow_import", { package: withYank }));
    const info = await ok(callTool(target.apiKey, "workflow_get_info", { workflow: "pkg:deploy" }));
    expect(info.default_version).toBe("1.0.0");
    expect(
      (info.yanked as { version: string; reason?: string }[]).map(({ version, reason }) => [version, reason]),
    ).toEqual([["1.1.0", "bad"]]);
    expect(canonicalJson(await exportPackageOf(target.apiKey))).toBe(canonicalJson(withYank));
    // the yank is covered by the checksums: dropping it is a changed package
    const unyanked = structuredClone(withYank);
    delete unyanked.versions[1]!.yanked;
    expect(await refusedImport(unyanked)).toBe("package.checksum_mismatch");
  });

  it("refuses a package that yanks every version (as workflow_yank does), publishing nothing", async () => {
    const allYanked = await sealPackage({
      workflow: exported.workflow,
      versions: exported.versions.map(({ sha256: _sha, ...entry }) => ({ ...entry, yanked: {} })),
    });
    expect(await refusedImport(allYanked)).toBe("workflow.yank_refused");
  });

  it("still reads a format 1 package", async () => {
    const { signature: _signature, sha256: _sha, ...body } = exported;
    const formatOne = { ...body, format_version: 1 as const };
    const legacy = { ...formatOne, sha256: await packageChecksum(formatOne) };
    const b = await newTenant("pkgf1");
    const imported = await ok(callTool(b.apiKey, "workflow_import", { package: legacy }));
    expect((imported.versions as unknown[]).length).toBe(2);
  });
});

describe("workflow_import: plugin pins against the YAML", () => {
  const DEMO = `name: "pkg:demo"
description: "pins"
version: "1.0.0"
services:
  api: { uses: "demo@^1", config: { base_url: "https://example.com" } }
steps:
  - id: hello
    type: user_message
    message: "hi"
`;
  const demoPackage = () =>
    sealPackage({
      workflow: "pkg:demo",
      versions: [
        {
          version: "1.0.0",
          yaml: DEMO,
          migrations: [],
          plugins: [{ service: "api", plugin: "demo", version: "1.0.0" }],
        },
      ],
    });

  it("keeps an older pin inside the range (the version the source resolved)", async () => {
    const { id } = await newTenant("pkgpin");
    const call = await callToolWithPlugins(id, "workflow_import", { package: await demoPackage() });
    expect(call.isError, call.text).toBe(false);
    const again = await callToolWithPlugins(id, "workflow_export", {
      workflow: "pkg:demo",
      format: "package",
    });
    expect((again.structured.package as WorkflowPackage).versions[0]?.plugins).toEqual([
      { service: "api", plugin: "demo", version: "1.0.0" },
    ]);
  });

  it("checks the service's config against the pinned version, not the one the range resolves to here", async () => {
    const { id } = await newTenant("pkgpin2");
    // here demo@1.0.0 takes another configuration than the YAML's; demo@1.4.2 (what ^1 resolves to) takes it
    const otherV1 = { ...demoV2("1.0.0"), roles: demoV1("1.0.0").roles };
    const catalog = {
      plugins: [
        ...TEST_CATALOG.plugins.filter((p) => !(p.name === "demo" && p.version === "1.0.0")),
        otherV1,
      ],
    };
    const call = await callToolWithPlugins(id, "workflow_import", { package: await demoPackage() }, catalog);
    expect(toolErrorOf(call).code).toBe("package.pin_mismatch");
  });
});
