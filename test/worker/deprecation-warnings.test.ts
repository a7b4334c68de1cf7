/**
 * `deprecated_features` of a run's version, in workerd through the MCP tools: the start answer
 * warns about each entry the version uses (an input, a step), `workflow_get_status` keeps them, and
 * the `workflow_get_next_step` answer that hands out a deprecated step warns once per run, not at
 * every hand-out of that step (a loop hands it out twice); free text is warned at publish only.
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";

const YAML = `name: "release:notes"
description: "draft release notes per package"
version: "1.0.0"
deprecated_features: ["inputs.tag", "steps.draft", "the old notes format"]
inputs:
  tag: { type: string, required: false, default: "HEAD" }
steps:
  - id: each
    type: foreach
    items: "{{ ['core', 'cli'] }}"
    body:
      - id: draft
        type: agent_prompt
        prompt: "Draft notes for {{ item }} at {{ inputs.tag }}"
`;

interface Warning {
  code: string;
  message: string;
  step_id?: string;
}

const deprecations = (warnings: unknown) =>
  ((warnings ?? []) as Warning[]).filter((warning) => warning.code === "version.deprecated_feature");

describe("deprecated features of a run's version", () => {
  it("are warned at start and once in the next-step answer that hands out a deprecated step", async () => {
    const { apiKey } = await newTenant("deprecations");
    const published = await callTool(apiKey, "workflow_publish", { yaml: YAML });
    expect(deprecations(published.structured.warnings)).toHaveLength(3);

    const started = await callTool(apiKey, "workflow_start", { workflow: "release:notes" });
    expect(started.isError).toBe(false);
    const atStart = deprecations((started.structured.next as { warnings?: unknown }).warnings);
    expect(atStart.map((warning) => warning.message)).toEqual([
      '"inputs.tag" is deprecated (input tag) in release:notes 1.0.0',
      '"steps.draft" is deprecated (step draft) in release:notes 1.0.0',
    ]);
    const workflow_id = started.structured.workflow_id as string;

    const first = await callTool(apiKey, "workflow_get_next_step", { workflow_id });
    expect(first.structured.steps).toMatchObject([{ id: "draft" }]);
    expect(deprecations(first.structured.warnings)).toEqual([
      expect.objectContaining({
        step_id: "draft",
        message: expect.stringContaining('"steps.draft" is deprecated'),
      }),
    ]);
    expect(first.structured.hint).toContain("Warning:");

    await callTool(apiKey, "workflow_step_complete", { workflow_id, step_id: "draft", result: "notes" });
    const second = await callTool(apiKey, "workflow_get_next_step", { workflow_id });
    expect(second.structured.steps).toMatchObject([{ id: "draft" }]);
    expect(second.structured.warnings).toBeUndefined();

    const status = await callTool(apiKey, "workflow_get_status", { workflow_id });
    expect(deprecations(status.structured.warnings)).toHaveLength(3);
  });

  it("a version with only free-text entries warns nobody at start", async () => {
    const { apiKey } = await newTenant("deprecations");
    await callTool(apiKey, "workflow_publish", {
      yaml: YAML.replace('["inputs.tag", "steps.draft", "the old notes format"]', '["the old notes format"]'),
    });
    const started = await callTool(apiKey, "workflow_start", { workflow: "release:notes" });
    expect((started.structured.next as { warnings?: unknown }).warnings).toBeUndefined();
  });
});
