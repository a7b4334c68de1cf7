/**
 * Migration operations whose YAML values JSON cannot hold: the dry run must equal what is stored
 * and read back, and the migrated run must keep working (no storage.corrupt / internal.error).
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { publish } from "./support/events.ts";

const V1 = `name: "atk:val"
description: "values"
version: "1.0.0"
default_state:
  state:
    count: 1
steps:
  - id: "pick"
    type: "mcp_call"
    tool: "pick_number"
  - id: "report"
    type: "user_message"
    message: "report {{ this.count }}"
`;

describe("attack: migration values JSON cannot hold", () => {
  for (const value of [".inf", "-.inf", ".nan"]) {
    it(`set_default ${value}: refused at publish, or the applied run reads back as planned`, async () => {
      const { apiKey } = await newTenant("atkval");
      await publish(apiKey, V1);
      const v2 = V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace(
        "steps:",
        `state_schema:\n  state: { extra: number }\nmigrations:\n  - from: "1.x"\n    to: "2.0.0"\n    operations:\n      - set_default: { path: "extra", value: ${value} }\nsteps:`,
      );
      const published = await callTool(apiKey, "workflow_publish", { yaml: v2 });
      if (published.isError) return; // refused at publish: fine
      const started = await callTool(apiKey, "workflow_start", { workflow: "atk:val", version: "1.0.0" });
      const runId = started.structured.workflow_id as string;
      const dry = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0" });
      const applied = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version: "2.0.0",
        dry_run: false,
      });
      expect(applied.text).not.toContain("internal.error");
      const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
      expect(status.isError, status.text).toBe(false);
      const stored = (status.structured.state as { state: Record<string, unknown> }).state;
      expect(stored, JSON.stringify(dry.structured.state_changes)).toEqual(
        (dry.structured.run as { state: { state: unknown } }).state.state,
      );
      const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
      expect(next.isError, next.text).toBe(false);
      const done = await callTool(apiKey, "workflow_step_complete", {
        workflow_id: runId,
        step_id: "pick",
        result: {},
      });
      expect(
        done.isError,
        `${done.text} stored=${JSON.stringify(stored)} dry=${JSON.stringify(dry.structured.state_changes)}`,
      ).toBe(false);
      expect(done.text).not.toContain("storage.corrupt");
    });
  }
});
