/**
 * Attacks on issue 13 (versions, compatibility at publish, export/import). Each test asserts the
 * secure behaviour: it FAILS while the bypass is open.
 */
import { describe, expect, it } from "vitest";
import { sealPackage } from "../../engine/packages/package-checksums.ts";
import { callTool, mcpRequest, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";

const flow = (version: string, inputs = "", extraSteps = "") => `name: "atk:flow"
description: "attack"
version: "${version}"
inputs:
  tag: { type: string, required: false, default: "HEAD" }
${inputs}default_state:
  state: { notes: "" }
steps:
  - id: draft
    type: user_message
    message: "hi {{ inputs.tag }}"
${extraSteps}`;

const REQUIRED_TICKET = "  ticket: { type: string }\n";

describe("attack: breaking-change check bypasses", () => {
  for (const alias of ["1.0.0+evil", "v1.0.0", "=1.0.0"]) {
    it(`a version "${alias}" that semver reads as 1.0.0 does not dodge the check against 1.0.0`, async () => {
      const { apiKey } = await newTenant("atkver");
      await publish(apiKey, flow("1.0.0"));
      const call = await callTool(apiKey, "workflow_publish", { yaml: flow(alias, REQUIRED_TICKET) });
      // secure: refused (either as a bad version or as a breaking change)
      expect(call.isError, call.text).toBe(true);
      expect(["loader.bad_version", "publish.breaking_change", "workflow.invalid"]).toContain(
        toolErrorOf(call).code,
      );
    });
  }

  it("workflow_import runs the same compatibility check as workflow_publish", async () => {
    const { apiKey } = await newTenant("atkimp");
    await publish(apiKey, flow("1.0.0"));
    // an unsigned package anyone can seal: 1.1.0 adds a required input (breaking on a minor bump)
    const pkg = await sealPackage({
      workflow: "atk:flow",
      versions: [{ version: "1.1.0", yaml: flow("1.1.0", REQUIRED_TICKET), migrations: [], plugins: [] }],
    });
    const call = await callTool(apiKey, "workflow_import", { package: pkg });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("publish.breaking_change");
  });

  it("workflow_import checks the versions of one package against each other", async () => {
    const { apiKey } = await newTenant("atkimp2");
    const pkg = await sealPackage({
      workflow: "atk:flow",
      versions: [
        { version: "1.0.0", yaml: flow("1.0.0"), migrations: [], plugins: [] },
        { version: "1.1.0", yaml: flow("1.1.0", REQUIRED_TICKET), migrations: [], plugins: [] },
      ],
    });
    const call = await callTool(apiKey, "workflow_import", { package: pkg });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("publish.breaking_change");
  });

  it("a version published between two others is checked against the next one up too", async () => {
    const { apiKey } = await newTenant("atkmid");
    await publish(apiKey, flow("1.0.0"));
    await publish(apiKey, flow("1.2.0"));
    // 1.1.0 adds step "extra" (not breaking against 1.0.0); 1.2.0 lacks it: 1.1.0 → 1.2.0 removes a step
    const extra = '  - id: extra\n    type: user_message\n    message: "x"\n';
    const call = await callTool(apiKey, "workflow_publish", { yaml: flow("1.1.0", "", extra) });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("publish.breaking_change");
  });
});

describe("attack: input changes the comparison does not see", () => {
  it("tightening an input's validation on a minor bump is a breaking change", async () => {
    const { apiKey } = await newTenant("atkval");
    await publish(apiKey, flow("1.0.0"));
    const tightened = flow("1.1.0").replace(
      'tag: { type: string, required: false, default: "HEAD" }',
      'tag: { type: string, required: false, default: "HEAD", validation: { enum: ["HEAD"] } }',
    );
    const call = await callTool(apiKey, "workflow_publish", { yaml: tightened });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("publish.breaking_change");
  });

  it("retyping an input through state_schema.inputs on a minor bump is a breaking change", async () => {
    const { apiKey } = await newTenant("atkssi");
    const NOTE = "  note: { type: string, required: false }\n";
    await publish(apiKey, flow("1.0.0", NOTE));
    const retyped = flow("1.1.0", NOTE).replace(
      "default_state:",
      "state_schema:\n  inputs: { note: number }\ndefault_state:",
    );
    const call = await callTool(apiKey, "workflow_publish", { yaml: retyped });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("publish.breaking_change");
  });
});

describe("attack: hostile packages", () => {
  it("a deeply nested package is refused with a coded error, not internal.error", async () => {
    const { apiKey } = await newTenant("atkdeep");
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const res = await mcpRequest(apiKey, "tools/call", {
      name: "workflow_import",
      arguments: { package: { format: "edgeflow.workflow-package", junk: deep } },
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain("internal.error");
    expect(res.status).toBeLessThan(500);
  });
});

describe("attack: release state lost across export/import", () => {
  it("a version yanked at the source does not become the default where the package is imported", async () => {
    const source = await newTenant("atkyank");
    await publish(source.apiKey, flow("1.0.0"));
    await publish(source.apiKey, flow("1.1.0"));
    const yanked = await callTool(source.apiKey, "workflow_yank", {
      workflow: "atk:flow",
      version: "1.1.0",
      reason: "bad release",
    });
    expect(yanked.isError, yanked.text).toBe(false);
    const exported = await callTool(source.apiKey, "workflow_export", {
      workflow: "atk:flow",
      format: "package",
    });
    const target = await newTenant("atkyank2");
    const imported = await callTool(target.apiKey, "workflow_import", {
      package: exported.structured.package,
    });
    expect(imported.isError, imported.text).toBe(false);
    const info = await callTool(target.apiKey, "workflow_get_info", { workflow: "atk:flow" });
    // secure: the withdrawn release is not what new runs and triggers get
    expect(info.structured.default_version, JSON.stringify(info.structured.yanked)).toBe("1.0.0");
  });
});

describe("attack: a prerelease takes the default", () => {
  it("publishing 2.0.0-rc.1 does not move new runs and triggers onto the release candidate", async () => {
    const { apiKey } = await newTenant("atkrc");
    await publish(apiKey, flow("1.0.0"));
    await publish(apiKey, flow("2.0.0-rc.1", REQUIRED_TICKET));
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "atk:flow" });
    expect(info.structured.default_version).toBe("1.0.0");
  });
});
