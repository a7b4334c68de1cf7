/**
 * Compatibility at publish, in workerd through the MCP tools: a version is compared with the
 * newest published version below it; a breaking change on a minor bump is refused with
 * `publish.breaking_change` listing it (nothing stored), a major bump or a file that declares
 * `breaking_changes` is accepted and answers the differences; `workflow_validate` answers the same
 * comparison and refusal; `deprecated_features` entries are warned at publish with line:column;
 * plugin majors are those publish resolved (the test catalog holds demo 1.x and 2.x).
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

const workflow = (version: string, extra = "", inputs = "") => `name: "release:notes"
description: "draft release notes"
version: "${version}"
${extra}inputs:
  tag: { type: string, required: false, default: "HEAD" }
${inputs}default_state:
  state: { notes: "" }
steps:
  - id: draft
    type: agent_prompt
    prompt: "Draft notes for {{ inputs.tag }}"
    state_update: { path: this.notes, value: "{{ response }}" }
  - id: show
    type: user_message
    message: "{{ this.notes }}"
`;

const REQUIRED_TICKET = "  ticket: { type: string }\n";

describe("compatibility at publish", () => {
  it("refuses a breaking change on a minor bump and accepts it on a major bump", async () => {
    const { apiKey } = await newTenant("compat");
    const first = await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });
    expect(first.isError).toBe(false);
    expect(first.structured.compatibility).toBeUndefined();

    const minor = await callTool(apiKey, "workflow_publish", {
      yaml: workflow("1.1.0", "", REQUIRED_TICKET),
    });
    const refusal = toolErrorOf(minor);
    expect(refusal.code).toBe("publish.breaking_change");
    expect(refusal.message).toContain("against 1.0.0");
    expect(refusal.message).toContain("input_added inputs.ticket");
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "release:notes" });
    expect(info.structured.versions).toEqual(["1.0.0"]);

    const major = await callTool(apiKey, "workflow_publish", {
      yaml: workflow("2.0.0", "", REQUIRED_TICKET),
    });
    expect(major.isError).toBe(false);
    expect(major.structured.compatibility).toEqual({
      against: "1.0.0",
      changes: [
        {
          kind: "input_added",
          path: "inputs.ticket",
          breaking: true,
          message: expect.stringContaining("required input"),
        },
      ],
    });
  });

  it("accepts a breaking change the file declares in breaking_changes, and a non-breaking minor bump", async () => {
    const { apiKey } = await newTenant("compat");
    await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });
    const optional = await callTool(apiKey, "workflow_publish", {
      yaml: workflow("1.0.1", "", "  verbose: { type: boolean, required: false }\n"),
    });
    expect(optional.isError).toBe(false);
    expect(optional.structured.compatibility).toMatchObject({
      against: "1.0.0",
      changes: [{ kind: "input_added", path: "inputs.verbose", breaking: false }],
    });
    const declared = await callTool(apiKey, "workflow_publish", {
      yaml: workflow("1.1.0", 'breaking_changes: ["ticket is now required"]\n', REQUIRED_TICKET),
    });
    expect(declared.isError).toBe(false);
    // compared with the newest version below it: 1.0.1 (verbose is gone again, ticket is new)
    expect(declared.structured.compatibility).toMatchObject({
      against: "1.0.1",
      changes: [
        { kind: "input_added", path: "inputs.ticket", breaking: true },
        { kind: "input_removed", path: "inputs.verbose", breaking: true },
      ],
    });
  });

  it("workflow_validate answers the comparison with the tenant's newest version and the refusal", async () => {
    const { apiKey } = await newTenant("compat");
    const alone = await callTool(apiKey, "workflow_validate", { yaml: workflow("1.0.0") });
    expect(alone.structured).toMatchObject({ valid: true });
    expect(alone.structured.compatibility).toBeUndefined();
    await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });

    const breaking = workflow("1.1.0", "", REQUIRED_TICKET).replace("id: show", "id: display");
    const refused = await callTool(apiKey, "workflow_validate", { yaml: breaking });
    expect(refused.isError).toBe(false);
    expect(refused.structured).toMatchObject({
      valid: false,
      errors: [{ code: "publish.breaking_change", severity: "error", path: "version" }],
      compatibility: {
        against: "1.0.0",
        changes: [
          { kind: "input_added", path: "inputs.ticket", breaking: true },
          { kind: "step_added", path: "steps.display", breaking: false },
          { kind: "step_removed", path: "steps.show", breaking: true },
        ],
      },
    });
    const bumped = await callTool(apiKey, "workflow_validate", {
      yaml: breaking.replace('"1.1.0"', '"2.0.0"'),
    });
    expect(bumped.structured).toMatchObject({ valid: true, errors: [], compatibility: { against: "1.0.0" } });
  });

  it("warns about each deprecated_features entry at publish and validate, placed on the entry", async () => {
    const { apiKey } = await newTenant("compat");
    const yaml = workflow("1.0.0", 'deprecated_features: ["inputs.tag", "the old notes format"]\n');
    for (const tool of ["workflow_validate", "workflow_publish"]) {
      const answer = await callTool(apiKey, tool, { yaml });
      expect(answer.isError).toBe(false);
      const warnings = (
        answer.structured.warnings as { code: string; line: number; message: string }[]
      ).filter((warning) => warning.code === "version.deprecated_feature");
      expect(warnings.map((warning) => warning.line)).toEqual([4, 4]);
      expect(warnings[0]!.message).toContain('"inputs.tag" is deprecated (input tag)');
      expect(warnings[1]!.message).toContain("free text");
    }
  });

  it("compares the plugin majors publish resolved: demo 1.4.2 → 2.0.0 needs a major bump", async () => {
    const { id } = await newTenant("compat");
    const withService = (version: string, uses: string, config: string) =>
      workflow(version).replace(
        "inputs:\n",
        `services:\n  api: { uses: "${uses}", config: ${config} }\ninputs:\n`,
      );
    const v1 = withService("1.0.0", "demo@^1", "{ base_url: 'https://example.com' }");
    expect((await callToolWithPlugins(id, "workflow_publish", { yaml: v1 })).isError).toBe(false);
    const v2 = (version: string) => withService(version, "demo@^2", "{ endpoint: 'https://example.com' }");
    const refused = toolErrorOf(await callToolWithPlugins(id, "workflow_publish", { yaml: v2("1.1.0") }));
    expect(refused.code).toBe("publish.breaking_change");
    expect(refused.message).toContain("plugin_major_changed services.api");
    const major = await callToolWithPlugins(id, "workflow_publish", { yaml: v2("2.0.0") });
    expect(major.structured.compatibility).toMatchObject({
      against: "1.0.0",
      changes: [
        { kind: "service_changed", path: "services.api", breaking: false },
        {
          kind: "plugin_major_changed",
          path: "services.api",
          breaking: true,
          message: expect.stringContaining("from demo 1.4.2 to 2.0.0"),
        },
      ],
    });
  });
});
