/**
 * deprecated_features entries are matched after trim() but quoted untrimmed in run warnings: one
 * entry padded with whitespace makes every run warning, the checkpoint and every answer huge.
 * Asserts the secure behaviour (warnings bounded, the run keeps working): FAILS today.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { runObject } from "./support/runs.ts";

const PAD = " ".repeat(300_000);
const steps = Array.from(
  { length: 6 },
  (_, index) => `  - id: "s${index}"\n    type: "mcp_call"\n    tool: "noop"\n`,
).join("");
const yaml = `name: "atk:dep"
description: "padded deprecations"
version: "1.0.0"
deprecated_features:
  - "types.mcp_call${PAD}"
steps:
${steps}`;

describe("attack: padded deprecated_features", () => {
  it("run warnings stay small and the run can still advance", async () => {
    const { id, apiKey } = await newTenant("atkdep");
    const published = await callTool(apiKey, "workflow_publish", { yaml });
    expect(published.isError, published.text.slice(0, 300)).toBe(false);
    const started = await callTool(apiKey, "workflow_start", { workflow: "atk:dep" });
    expect(started.isError, started.text.slice(0, 300)).toBe(false);
    const runId = started.structured.workflow_id as string;
    const sizes: number[] = [];
    for (let index = 0; index < 6; index++) {
      const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
      expect(next.isError, next.text.slice(0, 300)).toBe(false);
      sizes.push(next.text.length);
      const done = await callTool(apiKey, "workflow_step_complete", {
        workflow_id: runId,
        step_id: `s${index}`,
        result: {},
      });
      if (done.isError) {
        const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
        expect.fail(
          `step ${index}: ${done.text.slice(0, 200)}; status: ${status.text.slice(0, 1500)}; answers ${sizes.join(",")}`,
        );
      }
    }
    const checkpoint = await runInDurableObject(
      runObject(id, runId),
      (_instance, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM run").one().state,
    );
    // a warning is a line of text: the checkpoint must not carry the padding
    expect(checkpoint.length, `answers: ${sizes.join(",")}`).toBeLessThan(64 * 1024);
  }, 60_000);
});
